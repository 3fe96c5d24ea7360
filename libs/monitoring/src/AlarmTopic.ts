import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** The topic's name: letters, digits, `-` and `_`, at most 256 characters. */
  readonly topicName: string;

  /**
   * The start of the names of the alarms that may publish to the topic (and use its key): the
   * `aws:SourceArn` condition names `alarm:<prefix>*` of this account and region. Give this or
   * `alarmName`, not both.
   * @default - none: `alarmName` names the one alarm
   */
  readonly alarmNamePrefix?: string;

  /**
   * The one alarm that may publish to the topic (and use its key): the `aws:SourceArn`
   * condition names exactly `alarm:<name>` of this account and region. Give this or
   * `alarmNamePrefix`, not both.
   * @default - none: `alarmNamePrefix` names the alarms
   */
  readonly alarmName?: string;

  /**
   * Addresses subscribed by email. Each receives a confirmation message first and gets nothing
   * until it confirms.
   * @default - no subscription
   */
  readonly emailAddresses?: readonly string[];

  /**
   * What happens to the topic's key when the stack is deleted. The key is retained by default:
   * messages still in flight, and any copy of the topic restored later, need it.
   * @default RemovalPolicy.RETAIN
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ALARM_NAME_PREFIX = /^[^*?\s]{1,200}$/;
/** CloudWatch alarm names: 1 to 255 characters; no wildcard, which ArnLike would read as one. */
const ALARM_NAME = /^[^*?\n\r]{1,255}$/;

/**
 * Where alarms tell people: an SNS topic encrypted with its own KMS key (rotation on), TLS
 * only, that CloudWatch may publish to (and whose key it may use) only for alarms of this
 * account whose names start with `alarmNamePrefix` (or for the one `alarmName`), with email
 * subscriptions.
 *
 * CloudWatch needs the key grant to publish to an encrypted topic at all
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services);
 * the `aws:SourceAccount`/`aws:SourceArn` conditions keep CloudWatch from using it for another
 * account's alarms (the confused deputy).
 */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;
  /** The alarm (and OK) action that notifies the topic. */
  public readonly alarmAction: cloudwatch.IAlarmAction;

  public constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const fail = (field: string, value: unknown, rule: string): never => {
      throw new Error(`AlarmTopic ${this.node.path}: ${field} ${rule}, got ${JSON.stringify(value)}`);
    };
    if (!Token.isUnresolved(props.topicName) && !TOPIC_NAME.test(props.topicName)) {
      fail('topicName', props.topicName, 'must be 1 to 256 letters, digits, hyphens or underscores');
    }
    if ((props.alarmNamePrefix === undefined) === (props.alarmName === undefined)) {
      fail('alarmNamePrefix/alarmName', { alarmNamePrefix: props.alarmNamePrefix, alarmName: props.alarmName }, 'must be exactly one of the two');
    }
    if (props.alarmNamePrefix !== undefined && !Token.isUnresolved(props.alarmNamePrefix) && !ALARM_NAME_PREFIX.test(props.alarmNamePrefix)) {
      fail('alarmNamePrefix', props.alarmNamePrefix, 'must be 1 to 200 characters without wildcards or spaces');
    }
    if (props.alarmName !== undefined && !Token.isUnresolved(props.alarmName) && !ALARM_NAME.test(props.alarmName)) {
      fail('alarmName', props.alarmName, 'must be 1 to 255 characters without wildcards or line breaks');
    }
    const emails = props.emailAddresses ?? [];
    const seen = new Set<string>();
    emails.forEach((address, index) => {
      if (Token.isUnresolved(address)) return;
      if (!EMAIL.test(address)) fail(`emailAddresses[${index}]`, address, 'must be an email address');
      if (seen.has(address.toLowerCase())) fail(`emailAddresses[${index}]`, address, 'must not repeat an earlier address');
      seen.add(address.toLowerCase());
    });

    const stack = Stack.of(this);
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: props.alarmName ?? `${props.alarmNamePrefix ?? ''}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };

    this.key = new kms.Key(this, 'Key', {
      description: `${props.topicName}: encrypts alarm notifications`,
      enableKeyRotation: true,
      removalPolicy: props.keyRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [cloudwatchPrincipal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: `${props.topicName}: alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces SNS's default one: CloudWatch is named here.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [cloudwatchPrincipal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    for (const address of emails) this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    this.alarmAction = new cloudwatchActions.SnsAction(this.topic);
  }
}
