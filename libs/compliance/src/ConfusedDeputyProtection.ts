import { AspectPriority, Aspects, Aws, CfnResource, Stack, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Where a confused-deputy condition is written: the account and region of the trusting stack. */
export interface SourceConditionScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** What a service principal sends when it assumes a role (or uses a key) on our behalf. */
export interface SourceConditionSupport {
  /** Whether the service documents `aws:SourceAccount` for this use: the condition is then required. */
  readonly sourceAccount: boolean;
  /**
   * The `aws:SourceArn` pattern (`ArnLike`) the service documents, from the trusting stack's
   * scope; absent when it documents none or the resource ARN cannot be derived.
   */
  readonly sourceArn?: (scope: SourceConditionScope) => string;
  /** The AWS documentation page that says so (or, for an unsupported principal, that says nothing). */
  readonly evidence: string;
}

/**
 * The service principals our stacks trust, and which confused-deputy keys each one documents
 * for assuming a role. Adding a condition on a key a service does not send makes the role
 * unusable, so only documented keys are listed: everything else is left as it is (and a
 * compliance rule reads this same table to know which statements must carry the keys).
 *
 * - `ecs-tasks.amazonaws.com`: the task role's trust policy with `aws:SourceAccount` and
 *   `aws:SourceArn` `arn:<partition>:ecs:<region>:<account>:*` (a cluster-specific ARN is not
 *   supported, the guide says), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 *   The task execution role is trusted by the same principal and gets the same conditions; its
 *   own page (task_execution_IAM_role.html) shows no condition, so a first deploy to a sandbox
 *   confirms that tasks still start.
 * - `vpc-flow-logs.amazonaws.com`: `aws:SourceAccount` (the flow log owner) and `aws:SourceArn`
 *   `arn:<partition>:ec2:<region>:<account>:vpc-flow-log/*`,
 *   https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 * - `codebuild.amazonaws.com`: the service role's trust with `aws:SourceAccount` and `aws:SourceArn`
 *   of the project, https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html
 *   (every project of the stack: `project/*`).
 * - `lambda.amazonaws.com`: the Lambda guide documents no `aws:SourceAccount`/`aws:SourceArn` for
 *   the execution role's trust (it documents `lambda:SourceFunctionArn`, a key of the function's
 *   own requests), https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
 * - `codepipeline.amazonaws.com`: the service role page shows a trust policy without conditions,
 *   https://docs.aws.amazon.com/codepipeline/latest/userguide/how-to-custom-role.html
 * - `cloudwatch.amazonaws.com` (KMS key policy of an alarm topic's key): alarm actions to an
 *   encrypted topic, with `aws:SourceAccount` and `aws:SourceArn` of the alarm,
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 * - `vpce.amazonaws.com` (KMS key policy of the endpoint notification topic's key): the PrivateLink
 *   notification page and SNS's encrypted-topic page show the key statement without conditions,
 *   https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 *   (the topic policy, a different document, carries `aws:SourceAccount`).
 */
export const SOURCE_CONDITION_SERVICES: Readonly<Record<string, SourceConditionSupport>> = {
  'ecs-tasks.amazonaws.com': {
    sourceAccount: true,
    sourceArn: ({ partition, region, account }) => `arn:${partition}:ecs:${region}:${account}:*`,
    evidence: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html',
  },
  'vpc-flow-logs.amazonaws.com': {
    sourceAccount: true,
    sourceArn: ({ partition, region, account }) => `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*`,
    evidence: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html',
  },
  'codebuild.amazonaws.com': {
    sourceAccount: true,
    sourceArn: ({ partition, region, account }) => `arn:${partition}:codebuild:${region}:${account}:project/*`,
    evidence: 'https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html',
  },
  'lambda.amazonaws.com': {
    sourceAccount: false,
    evidence: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
  },
  'codepipeline.amazonaws.com': {
    sourceAccount: false,
    evidence: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/how-to-custom-role.html',
  },
  'cloudwatch.amazonaws.com': {
    sourceAccount: true,
    sourceArn: ({ partition, region, account }) => `arn:${partition}:cloudwatch:${region}:${account}:alarm:*`,
    evidence: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html',
  },
  'vpce.amazonaws.com': {
    sourceAccount: false,
    evidence: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services',
  },
};

/** The policy property of each resource type the aspect rewrites. */
const POLICY_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'AssumeRolePolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
};

type Json = Record<string, unknown>;

/**
 * Adds the confused-deputy conditions of {@link SOURCE_CONDITION_SERVICES} to every Allow
 * statement that trusts a listed service principal, in every role trust policy and KMS key
 * policy under a scope, whoever wrote it (our roles, CDK Pipelines' roles, custom resource
 * providers' plain `CfnResource` roles): `aws:SourceAccount` of the statement's stack, and
 * `aws:SourceArn` where the service documents a derivable one. A statement that trusts such a
 * service together with other principals is split, so the others keep exactly their trust.
 * Principals the table marks unsupported, and statements already carrying a key, are left alone.
 */
export class ConfusedDeputyProtection implements IAspect {
  private readonly services: Readonly<Record<string, SourceConditionSupport>>;

  public constructor(services: Readonly<Record<string, SourceConditionSupport>> = SOURCE_CONDITION_SERVICES) {
    this.services = services;
  }

  /** Applies the aspect to `scope`, as a mutating aspect (before rules read the policies). */
  public static applyTo(scope: IConstruct): ConfusedDeputyProtection {
    const aspect = new ConfusedDeputyProtection();
    Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
    return aspect;
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    const property = POLICY_PROPERTY[node.cfnResourceType];
    if (property === undefined) return;
    const stack = Stack.of(node);
    // Roles and keys hold their policies as lazy tokens (and custom resource provider roles are
    // plain CfnResources): read the rendered property, with overrides, then write it back whole.
    const rendered = stack.resolve(node._toCloudFormation()) as { Resources?: Record<string, { Properties?: Json }> };
    const document = Object.values(rendered.Resources ?? {})[0]?.Properties?.[property];
    if (!isObject(document) || !Array.isArray(document.Statement)) return;
    const scope: SourceConditionScope = { partition: Aws.PARTITION, region: stack.region, account: stack.account };
    let changed = false;
    const statements = document.Statement.flatMap((statement: unknown) => {
      const protectedStatements = this.protect(statement, scope, stack);
      if (protectedStatements !== undefined) changed = true;
      return protectedStatements ?? [statement];
    });
    if (changed) node.addPropertyOverride(property, { ...document, Statement: statements });
  }

  /** The statement with conditions (split per service), or undefined when it stays as it is. */
  private protect(statement: unknown, scope: SourceConditionScope, stack: Stack): Json[] | undefined {
    if (!isObject(statement) || statement.Effect !== 'Allow' || !isObject(statement.Principal)) return undefined;
    const services = asList(statement.Principal.Service);
    const supported = services.filter(
      (service): service is string => typeof service === 'string' && this.conditionsFor(service, scope, stack, statement) !== undefined,
    );
    if (supported.length === 0) return undefined;
    const remainingServices = services.filter((service) => typeof service !== 'string' || !supported.includes(service));
    const remainingPrincipal: Json = {
      ...Object.fromEntries(Object.entries(statement.Principal).filter(([kind]) => kind !== 'Service')),
      ...(remainingServices.length > 0 ? { Service: remainingServices.length === 1 ? remainingServices[0] : remainingServices } : {}),
    };
    const split = supported.length > 1 || Object.keys(remainingPrincipal).length > 0;
    const protectedStatements = supported.map((service) => ({
      ...statement,
      // Sids must stay unique: a split-off statement names its service.
      ...(typeof statement.Sid === 'string' && split ? { Sid: `${statement.Sid}${sidSuffix(service)}` } : {}),
      Principal: { Service: service },
      Condition: this.conditionsFor(service, scope, stack, statement),
    }));
    return Object.keys(remainingPrincipal).length > 0
      ? [{ ...statement, Principal: remainingPrincipal }, ...protectedStatements]
      : protectedStatements;
  }

  /** The statement's conditions plus the service's keys, or undefined when nothing is to be added. */
  private conditionsFor(service: string, scope: SourceConditionScope, stack: Stack, statement: Json): Json | undefined {
    const support = this.services[service];
    if (support === undefined || !support.sourceAccount) return undefined;
    const existing = isObject(statement.Condition) ? statement.Condition : {};
    const present = new Set(Object.values(existing).flatMap((block) => (isObject(block) ? Object.keys(block) : [])));
    const additions: [string, string, unknown][] = [];
    if (!present.has('aws:SourceAccount')) additions.push(['StringEquals', 'aws:SourceAccount', stack.resolve(scope.account)]);
    if (support.sourceArn && !present.has('aws:SourceArn')) {
      additions.push(['ArnLike', 'aws:SourceArn', stack.resolve(support.sourceArn(scope))]);
    }
    if (additions.length === 0) return undefined;
    const conditions: Json = { ...existing };
    for (const [operator, key, value] of additions) {
      conditions[operator] = { ...(isObject(conditions[operator]) ? conditions[operator] : {}), [key]: value };
    }
    return conditions;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A principal entry as a list; entries that are not literal strings (intrinsics) are kept, never matched. */
function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** `ecs-tasks.amazonaws.com` → `EcsTasks`: a Sid-safe suffix naming the service. */
function sidSuffix(service: string): string {
  return (service.split('.')[0] ?? service)
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
