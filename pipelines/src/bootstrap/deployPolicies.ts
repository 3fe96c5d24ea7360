import { partitionOf } from '@private-api/config';
import { ATTACHABLE_MANAGED_POLICIES, permissionsOf } from './resourceActions';

/** Which part of the system an account runs; an account may run several. */
export type AccountKind = 'pipeline' | 'provider' | 'consumer';
export const ACCOUNT_KINDS: readonly AccountKind[] = ['pipeline', 'provider', 'consumer'];

/** One synthesized stack, as CloudFormation will deploy it. */
export interface DeployedStack {
  readonly kind: AccountKind;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly template: {
    readonly Parameters?: Readonly<Record<string, { readonly Type: string; readonly Default?: unknown }>>;
    readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
  };
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
  /** Only in resource policies (a resource control policy). */
  readonly Principal?: string;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

/** The names the deploy path uses, all derived from the config's service name. */
export interface DeployPathNames {
  readonly serviceName: string;
  /** `<service>-`: what the name of every role we may create starts with. */
  readonly roleNamePrefix: string;
  /** The permissions boundary's policy name. */
  readonly boundaryName: string;
}

export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
  /** Characters of the document without whitespace, as IAM counts them against its 6,144 limit. */
  readonly size: number;
}

/** What one account is bootstrapped with. */
export interface AccountPolicies {
  readonly account: string;
  readonly kinds: readonly AccountKind[];
  readonly regions: readonly string[];
  readonly boundary: NamedPolicy;
  /** The CloudFormation execution policies, one or more per kind (split to stay under IAM's size limit). */
  readonly executionPolicies: readonly NamedPolicy[];
}

/** IAM's limit for a customer managed policy document, whitespace excluded. */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;

/** Services whose API is global: `aws:RequestedRegion` is not the stack's region for them. */
const GLOBAL_SERVICES = new Set(['iam', 'route53']);

const ROLE_WRITE_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PassRole',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
];

export function executionPolicyName(names: DeployPathNames, kind: AccountKind, part = 1): string {
  return `${names.serviceName}-cdk-exec-${kind}${part > 1 ? `-${part}` : ''}`;
}

/** Matches the names {@link executionPolicyName} gives, for any kind and part. */
export function executionPolicyNamePattern(serviceName: string): RegExp {
  const escaped = serviceName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}-cdk-exec-(${ACCOUNT_KINDS.join('|')})(-\\d+)?$`);
}

function roleArnPattern(partition: string, account: string, names: DeployPathNames): string {
  return `arn:${partition}:iam::${account}:role/${names.roleNamePrefix}*`;
}

/** Instance profiles are named like roles: `<service>-*` (a generated name starts with the stack name). */
function instanceProfileArnPattern(partition: string, account: string, names: DeployPathNames): string {
  return `arn:${partition}:iam::${account}:instance-profile/${names.roleNamePrefix}*`;
}

export function boundaryArn(partition: string, account: string, names: DeployPathNames): string {
  return `arn:${partition}:iam::${account}:policy/${names.boundaryName}`;
}

/** ARN patterns that confine a service's actions to resources named after our service, where names are ours. */
function serviceScope(service: string, partition: string, account: string, names: DeployPathNames): string[] {
  const svc = names.serviceName;
  switch (service) {
    case 's3':
      // Generated bucket names start with the (lowercase) stack name, and every stack name with the service name.
      return [`arn:${partition}:s3:::${svc}-*`];
    case 'lambda':
      return [`arn:${partition}:lambda:*:${account}:function:${svc}-*`];
    case 'sns':
      return [`arn:${partition}:sns:*:${account}:${svc}-*`];
    case 'ssm':
      return [`arn:${partition}:ssm:*:${account}:parameter/${svc}/*`];
    case 'codepipeline':
      return [`arn:${partition}:codepipeline:*:${account}:${svc}-*`];
    case 'iam':
      // The table's only iam: actions are an instance profile's; roles get their own statements below.
      return [instanceProfileArnPattern(partition, account, names)];
    case 'secretsmanager':
      // No template creates a secret itself: the only ones are the master user secrets RDS creates for a
      // database with ManageMasterUserPassword, which it names `rds!db-<uuid>`.
      return [`arn:${partition}:secretsmanager:*:${account}:secret:rds!*`];
    default:
      return ['*'];
  }
}

/** The AWS managed policy names (`service-role/AWSLambdaBasicExecutionRole`) a template's roles attach. */
export function managedPoliciesOf(stack: DeployedStack): string[] {
  const found = new Set<string>();
  for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const arns = (resource.Properties as { ManagedPolicyArns?: unknown[] } | undefined)?.ManagedPolicyArns ?? [];
    for (const arn of arns) {
      const text = flatten(arn);
      const match = /:iam::aws:policy\/(.+)$/.exec(text);
      if (!match?.[1]) {
        throw new Error(`${stack.stackName}/${logicalId} attaches ${text}: only AWS managed policies listed in ATTACHABLE_MANAGED_POLICIES may be attached`);
      }
      if (!(match[1] in ATTACHABLE_MANAGED_POLICIES)) {
        throw new Error(`${stack.stackName}/${logicalId} attaches the AWS managed policy ${match[1]}, which ATTACHABLE_MANAGED_POLICIES (pipelines/src/bootstrap/resourceActions.ts) does not allow: add it with the services it grants, or grant the role what it needs inline`);
      }
      found.add(match[1]);
    }
  }
  return [...found].sort();
}

/** The literal text of a template value: strings, Fn::Join and Fn::Sub; references become `*`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(flatten).join(join[0]);
    const sub = (value as { 'Fn::Sub'?: unknown })['Fn::Sub'];
    if (typeof sub === 'string') return sub.replace(/\$\{[^}]+\}/g, '*');
  }
  return '*';
}

/** A template parameter whose value CloudFormation reads from Parameter Store at deploy time. */
export interface ParameterRead {
  /** The template parameter's logical ID (`BootstrapVersion`). */
  readonly logicalId: string;
  /** The ARN of the Parameter Store parameter it reads. */
  readonly arn: string;
}

const SSM_PARAMETER_TYPE_PREFIX = 'AWS::SSM::Parameter::Value<';
const SSM_PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:(\d{12})?:parameter\/\S+$/;

/**
 * The Parameter Store parameters CloudFormation reads, with the stack's service role (the execution
 * role), when it creates or updates the stack or a change set: those of the template's parameters of a
 * Systems Manager parameter type (`AWS::SSM::Parameter::Value<…>`), named by their Default, since
 * `cdk deploy` and the pipeline pass no parameter values. Today: CDK's `BootstrapVersion`
 * (`/cdk-bootstrap/<qualifier>/version`), the ECS-optimized AMI of EC2 capacity (a public
 * `/aws/service/…` parameter) and, in a consumer's endpoint stack, the provider's endpoint service name
 * (a full ARN in the provider account, shared through AWS RAM).
 *
 * - CloudFormation fetches the value from Parameter Store on stack create and update and change set
 *   creation; a parameter of the same account is given by name, one shared by another account by its full
 *   ARN: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/systems-manager-parameter-types.html
 * - With a service role, CloudFormation uses that role for all operations on the stack:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
 * - The call is `ssm:GetParameters` (names or ARNs, full ARNs for shared parameters:
 *   https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html). The
 *   CloudFormation guide names no IAM action; the ValidationError it returns without it is "AccessDenied.
 *   User doesn't have permission to call ssm:GetParameters" (https://github.com/aws/aws-cdk/issues/20959,
 *   and for a cross-account CDK pipeline's execution policy
 *   https://github.com/aws-samples/aws-cross-account-cicd-pipeline/issues/33). Nothing shows
 *   `ssm:GetParameter` (singular) being called, so it is not granted.
 * - Public parameters have an ARN without an account, `arn:aws:ssm:us-west-2::parameter/aws/service/ecs/…`:
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html
 *
 * A parameter whose Default is not a literal name or ARN stops the generator: the policy could not name it.
 */
export function parametersReadAtDeploy(stack: DeployedStack): ParameterRead[] {
  const partition = partitionOf(stack.region);
  const reads: ParameterRead[] = [];
  for (const [logicalId, parameter] of Object.entries(stack.template.Parameters ?? {})) {
    if (!parameter.Type.startsWith(SSM_PARAMETER_TYPE_PREFIX)) continue;
    const where = `${stack.stackName}: template parameter ${logicalId} (${parameter.Type})`;
    const name = parameter.Default;
    if (typeof name !== 'string') {
      throw new Error(
        `${where} is read from Parameter Store at deploy time, but its Default is not a literal parameter name or ARN (${name === undefined ? 'none' : JSON.stringify(name)}): the execution policy can only allow reading a parameter it can name`,
      );
    }
    if (name.startsWith('arn:')) {
      if (!SSM_PARAMETER_ARN.test(name)) throw new Error(`${where}: its Default ${name} is not the ARN of a Systems Manager parameter`);
      reads.push({ logicalId, arn: name });
    } else {
      // Parameter Store's name characters (a-zA-Z0-9_.-, and / between levels).
      if (!/^\/?[\w.-]+(\/[\w.-]+)*$/.test(name)) throw new Error(`${where}: its Default ${JSON.stringify(name)} is not a Parameter Store parameter name`);
      const path = name.replace(/^\//, '');
      const account = path.startsWith('aws/service/') ? '' : stack.account;
      reads.push({ logicalId, arn: `arn:${partition}:ssm:${stack.region}:${account}:parameter/${path}` });
    }
  }
  return reads;
}

/** The IAM actions the roles of a template are granted (inline and attached), as service prefixes. */
export function servicesGrantedToRoles(stack: DeployedStack): string[] {
  const services = new Set<string>();
  const addDocument = (document: unknown): void => {
    const statements = (document as { Statement?: unknown[] } | undefined)?.Statement ?? [];
    for (const statement of statements) {
      const actions = (statement as { Action?: string | string[] }).Action ?? [];
      for (const action of [actions].flat()) {
        if (typeof action === 'string') services.add(action === '*' ? '*' : (action.split(':')[0] ?? action).toLowerCase());
      }
    }
  };
  for (const resource of Object.values(stack.template.Resources ?? {})) {
    const properties = resource.Properties as
      | { PolicyDocument?: unknown; Policies?: { PolicyDocument?: unknown }[] }
      | undefined;
    if (resource.Type === 'AWS::IAM::Policy') addDocument(properties?.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Role') for (const policy of properties?.Policies ?? []) addDocument(policy.PolicyDocument);
  }
  for (const managed of managedPoliciesOf(stack)) for (const service of ATTACHABLE_MANAGED_POLICIES[managed] ?? []) services.add(service);
  if (services.has('*')) throw new Error(`${stack.stackName}: a role is granted every action ("*"); the permissions boundary cannot allow that`);
  return [...services].sort();
}

/**
 * The statements every deploy-path policy ends with: the escalation paths, closed. In the
 * boundary they bind every role our stacks create and the CloudFormation execution role
 * itself; in the execution policy they repeat the rule for an account bootstrapped without
 * the boundary.
 */
export function escalationDenials(
  partition: string,
  account: string,
  names: DeployPathNames,
  managedPolicies: readonly string[],
  passedToServices: readonly string[],
): PolicyStatement[] {
  const ourRoles = roleArnPattern(partition, account, names);
  const ourInstanceProfiles = instanceProfileArnPattern(partition, account, names);
  return [
    {
      Sid: 'DenyRolesWithoutTheBoundary',
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn(partition, account, names) } },
    },
    {
      Sid: 'DenyRemovingBoundaries',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
      Resource: '*',
    },
    {
      Sid: 'DenyChangingTheDeployPolicies',
      Effect: 'Deny',
      Action: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:TagPolicy', 'iam:UntagPolicy'],
      Resource: [
        `arn:${partition}:iam::${account}:policy/${names.boundaryName}`,
        `arn:${partition}:iam::${account}:policy/${names.serviceName}-cdk-exec-*`,
      ],
    },
    {
      // Covers the cdk-* bootstrap roles, administrator roles and every role another team owns, and their
      // instance profiles (a role action never names a profile, nor a profile action a role).
      Sid: 'DenyRolesWithoutOurPrefix',
      Effect: 'Deny',
      Action: ROLE_WRITE_ACTIONS,
      NotResource: [ourRoles, ourInstanceProfiles],
    },
    {
      Sid: 'DenyUnlistedManagedPolicies',
      Effect: 'Deny',
      Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      Resource: '*',
      ...(managedPolicies.length > 0
        ? { Condition: { ArnNotEquals: { 'iam:PolicyARN': managedPolicies.map((name) => `arn:${partition}:iam::aws:policy/${name}`) } } }
        : {}),
    },
    {
      Sid: 'DenyPassingRolesToOtherServices',
      Effect: 'Deny',
      Action: ['iam:PassRole'],
      Resource: '*',
      ...(passedToServices.length > 0 ? { Condition: { StringNotEquals: { 'iam:PassedToService': [...passedToServices] } } } : {}),
    },
    {
      Sid: 'DenyUsersKeysAndTheOrganization',
      Effect: 'Deny',
      Action: [
        'iam:CreateUser',
        'iam:CreateAccessKey',
        'iam:CreateLoginProfile',
        'iam:UpdateLoginProfile',
        'iam:AttachUserPolicy',
        'iam:PutUserPolicy',
        'iam:AddUserToGroup',
        'iam:CreateOpenIDConnectProvider',
        'iam:CreateSAMLProvider',
        'organizations:*',
        'account:*',
      ],
      Resource: '*',
    },
  ];
}

/** The template-derived facts one execution policy is generated from. */
interface KindUsage {
  readonly actions: Map<string, Set<string>>;
  readonly passedToServices: Set<string>;
  readonly serviceLinkedRoles: Set<string>;
  readonly managedPolicies: Set<string>;
  readonly regions: Set<string>;
  readonly readsAssets: boolean;
  readonly hasRoles: boolean;
  /** ARNs of the Parameter Store parameters the templates' parameters read at deploy time. */
  readonly parametersRead: Set<string>;
}

function usageOf(stacks: readonly DeployedStack[]): KindUsage {
  const actions = new Map<string, Set<string>>();
  const passedToServices = new Set<string>();
  const serviceLinkedRoles = new Set<string>();
  const managedPolicies = new Set<string>();
  const regions = new Set<string>();
  let readsAssets = false;
  let hasRoles = false;
  const parametersRead = new Set<string>();
  for (const stack of stacks) {
    regions.add(stack.region);
    for (const read of parametersReadAtDeploy(stack)) parametersRead.add(read.arn);
    for (const managed of managedPoliciesOf(stack)) managedPolicies.add(managed);
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const permissions = permissionsOf(resource.Type);
      if (!permissions) {
        throw new Error(
          `${stack.stackName}/${logicalId} is a ${resource.Type}, which the deploy-path policy generator does not know: add the actions CloudFormation needs for it to RESOURCE_TYPE_PERMISSIONS (pipelines/src/bootstrap/resourceActions.ts)`,
        );
      }
      if (resource.Type === 'AWS::IAM::Role') hasRoles = true;
      for (const action of permissions.actions) {
        const service = action.split(':')[0] ?? action;
        const set = actions.get(service) ?? new Set<string>();
        set.add(action);
        actions.set(service, set);
      }
      if (permissions.passesRoleTo) passedToServices.add(permissions.passesRoleTo);
      for (const linked of permissions.serviceLinkedRoles ?? []) serviceLinkedRoles.add(linked);
      readsAssets ||= permissions.readsAssets ?? false;
    }
  }
  return { actions, passedToServices, serviceLinkedRoles, managedPolicies, regions, readsAssets, hasRoles, parametersRead };
}

/** The actions minus those a wildcard among them already grants (`ec2:DescribeVpcs` beside `ec2:Describe*`). */
function withoutCoveredActions(actions: readonly string[]): string[] {
  const prefixes = actions.filter((action) => action.endsWith('*')).map((action) => action.slice(0, -1).toLowerCase());
  return actions.filter((action) => action.endsWith('*') || !prefixes.some((prefix) => action.toLowerCase().startsWith(prefix)));
}

function sidOf(service: string): string {
  return service
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The CloudFormation execution policy statements of one account kind in one account: what its
 * templates' resource types need, scoped to our names where the service allows, limited to the
 * regions the kind deploys to, reads of the Parameter Store parameters its templates' parameters
 * name, IAM only on roles with our name prefix and boundary; then the denials.
 */
export function executionStatements(stacks: readonly DeployedStack[], account: string, names: DeployPathNames): PolicyStatement[] {
  const [first] = stacks;
  if (!first) return [];
  const partition = partitionOf(first.region);
  const usage = usageOf(stacks);
  const regions = [...usage.regions].sort();
  const statements: PolicyStatement[] = [];
  for (const service of [...usage.actions.keys()].sort()) {
    const actions = withoutCoveredActions([...(usage.actions.get(service) ?? [])]).sort();
    statements.push({
      Sid: `${sidOf(service)}ForOurStacks`,
      Effect: 'Allow',
      Action: actions,
      Resource: serviceScope(service, partition, account, names),
      ...(GLOBAL_SERVICES.has(service) ? {} : { Condition: { StringEquals: { 'aws:RequestedRegion': regions } } }),
    });
  }
  if (usage.parametersRead.size > 0) {
    // See parametersReadAtDeploy: exactly the parameters the templates name, in the kind's regions.
    statements.push({
      Sid: 'ReadTemplateParameters',
      Effect: 'Allow',
      Action: ['ssm:GetParameters'],
      Resource: [...usage.parametersRead].sort(),
      Condition: { StringEquals: { 'aws:RequestedRegion': regions } },
    });
  }
  if (usage.readsAssets) {
    statements.push({
      Sid: 'ReadTheCdkAssets',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: `arn:${partition}:s3:::cdk-*-assets-${account}-*/*`,
    });
  }
  if (usage.hasRoles) {
    const ourRoles = roleArnPattern(partition, account, names);
    statements.push(
      {
        Sid: 'CreateOurRolesWithTheBoundary',
        Effect: 'Allow',
        Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
        Resource: ourRoles,
        Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn(partition, account, names) } },
      },
      {
        Sid: 'MaintainOurRoles',
        Effect: 'Allow',
        Action: [
          'iam:GetRole',
          'iam:DeleteRole',
          'iam:UpdateRole',
          'iam:UpdateRoleDescription',
          'iam:UpdateAssumeRolePolicy',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:ListRoleTags',
          'iam:PutRolePolicy',
          'iam:GetRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:ListRolePolicies',
          'iam:ListAttachedRolePolicies',
          'iam:ListInstanceProfilesForRole',
        ],
        Resource: ourRoles,
      },
    );
    if (usage.managedPolicies.size > 0) {
      statements.push({
        Sid: 'AttachOnlyListedManagedPolicies',
        Effect: 'Allow',
        Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        Resource: ourRoles,
        Condition: { ArnEquals: { 'iam:PolicyARN': [...usage.managedPolicies].sort().map((name) => `arn:${partition}:iam::aws:policy/${name}`) } },
      });
    }
    if (usage.passedToServices.size > 0) {
      statements.push({
        Sid: 'PassOurRolesToTheirServices',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: ourRoles,
        Condition: { StringEquals: { 'iam:PassedToService': [...usage.passedToServices].sort() } },
      });
    }
  }
  if (usage.serviceLinkedRoles.size > 0) {
    statements.push({
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: `arn:${partition}:iam::${account}:role/aws-service-role/*`,
      Condition: { StringEquals: { 'iam:AWSServiceName': [...usage.serviceLinkedRoles].sort() } },
    });
  }
  return [
    ...statements,
    ...escalationDenials(partition, account, names, [...usage.managedPolicies].sort(), [...usage.passedToServices].sort()),
  ];
}

/** Characters of a policy document as IAM counts them (no whitespace). */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}

/** Splits statements into as few documents under IAM's size limit as a first-fit packing gives. */
export function packStatements(statements: readonly PolicyStatement[], maxCharacters = MANAGED_POLICY_MAX_CHARACTERS): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  for (const statement of statements) {
    const single: PolicyDocument = { Version: '2012-10-17', Statement: [statement] };
    if (policySize(single) > maxCharacters) {
      throw new Error(`policy statement ${statement.Sid} alone is ${policySize(single)} characters, over IAM's ${maxCharacters}`);
    }
    const fits = documents.find((document) => policySize({ ...document, Statement: [...document.Statement, statement] }) <= maxCharacters);
    if (fits) fits.Statement.push(statement);
    else documents.push(single);
  }
  return documents;
}

/**
 * The permissions boundary of an account: every service its templates deploy or grant to their
 * roles, and SSM where their parameters are read from Parameter Store (and nothing else), minus the
 * escalation paths. It binds the CloudFormation execution
 * role (bootstrap `--custom-permissions-boundary`) and every role our stacks create, so neither
 * can create a role without it, remove it, change it, or touch a role without our name prefix.
 */
export function boundaryDocument(stacks: readonly DeployedStack[], account: string, names: DeployPathNames): PolicyDocument {
  const [first] = stacks;
  if (!first) throw new Error(`no stacks deploy to account ${account}`);
  const partition = partitionOf(first.region);
  // What the execution role deploys, and what the templates grant their roles.
  const usage = usageOf(stacks);
  const services = new Set<string>(['iam', 'sts', ...usage.actions.keys(), ...stacks.flatMap(servicesGrantedToRoles)]);
  if (usage.readsAssets) services.add('s3');
  if (usage.parametersRead.size > 0) services.add('ssm');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ServicesOurStacksUse',
        Effect: 'Allow',
        Action: [...services].sort().map((service) => `${service}:*`),
        Resource: '*',
      },
      ...escalationDenials(partition, account, names, [...usage.managedPolicies].sort(), [...usage.passedToServices].sort()),
    ],
  };
}

/**
 * Everything each account is bootstrapped with, from the stacks that deploy to it: one boundary
 * and the execution policies of each kind it runs.
 */
export function deploymentPolicies(stacks: readonly DeployedStack[], names: DeployPathNames): AccountPolicies[] {
  const accounts = [...new Set(stacks.map((stack) => stack.account))].sort();
  return accounts.map((account) => {
    const inAccount = stacks.filter((stack) => stack.account === account);
    const kinds = ACCOUNT_KINDS.filter((kind) => inAccount.some((stack) => stack.kind === kind));
    const executionPolicies = kinds.flatMap((kind) =>
      packStatements(executionStatements(inAccount.filter((stack) => stack.kind === kind), account, names)).map((document, index) => ({
        name: executionPolicyName(names, kind, index + 1),
        document,
        size: policySize(document),
      })),
    );
    const boundary = boundaryDocument(inAccount, account, names);
    return {
      account,
      kinds,
      regions: [...new Set(inAccount.map((stack) => stack.region))].sort(),
      boundary: { name: names.boundaryName, document: boundary, size: policySize(boundary) },
      executionPolicies,
    };
  });
}
