import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { StackPart } from './StackPart';

/**
 * Where the endpoint service reports connection requests and changes: an SNS topic encrypted
 * with its own key (rotation on), TLS only, that only the VPC endpoint service of this account
 * may publish to.
 */
export class EndpointConnectionNotifications extends StackPart {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;

  public constructor(scope: Construct, id: string, props: { readonly serviceName: string }) {
    super(scope, id);
    this.key = new kms.Key(this, 'EndpointNotificationKey', {
      description: `${props.serviceName}: encrypts endpoint connection notifications`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const vpcEndpointService = new iam.ServicePrincipal('vpce.amazonaws.com');
    this.key.grant(vpcEndpointService, 'kms:GenerateDataKey*', 'kms:Decrypt');
    this.topic = new sns.Topic(this, 'EndpointConnectionEvents', {
      displayName: `${props.serviceName} endpoint connection requests and changes`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'VpcEndpointServiceNotifications',
        principals: [vpcEndpointService],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}
