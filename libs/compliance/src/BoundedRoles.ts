import { createHash } from 'node:crypto';
import { AspectPriority, Aspects, CfnResource, Fn, Stack, Token, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface BoundedRolesProps {
  /**
   * Name of the customer-managed policy every role gets as its permissions boundary. It must
   * exist in every account the roles deploy to (the bootstrap tool creates it).
   */
  readonly boundaryName: string;
  /**
   * What every role name starts with (`<service name>-`); the execution policy allows only such
   * roles. Roles without an explicit name get one; an explicit name without it fails synth.
   */
  readonly namePrefix: string;
}

const POLICY_NAME = /^[A-Za-z0-9+=,.@_-]{1,128}$/;
const NAME_PREFIX = /^[A-Za-z0-9+=,.@_-]{1,40}$/;
const ROLE_NAME_MAX = 64;

/**
 * Gives every IAM role under a scope our permissions boundary and a name with our prefix,
 * whoever wrote it: our own `iam.Role`s, the roles CDK Pipelines generates, and the
 * `AWS::IAM::Role` resources of CDK's custom resource providers (plain `CfnResource`s). The
 * CloudFormation execution policy allows creating roles only with both, so a role this aspect
 * missed fails the deploy; the compliance rule PrivateLink-IAM1 fails the synth first.
 *
 * Roles stay at the root path: services that take a role by name (CodeBuild's `ServiceRole`
 * as CDK Pipelines writes it) would not find a role under a path.
 */
export class BoundedRoles implements IAspect {
  private readonly boundaryName: string;
  private readonly namePrefix: string;

  public constructor(props: BoundedRolesProps) {
    if (!POLICY_NAME.test(props.boundaryName)) {
      throw new Error(`BoundedRoles: boundaryName must be an IAM policy name, got ${JSON.stringify(props.boundaryName)}`);
    }
    if (!NAME_PREFIX.test(props.namePrefix)) {
      throw new Error(`BoundedRoles: namePrefix must be 1 to 40 role-name characters, got ${JSON.stringify(props.namePrefix)}`);
    }
    this.boundaryName = props.boundaryName;
    this.namePrefix = props.namePrefix;
  }

  /** Applies the aspect to `scope` (before any other aspect reads the roles). */
  public static applyTo(scope: IConstruct, props: BoundedRolesProps): BoundedRoles {
    const aspect = new BoundedRoles(props);
    Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
    return aspect;
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::IAM::Role') return;
    // Resolved per stack at deploy time: the same boundary name in whichever account it lands.
    node.addPropertyOverride(
      'PermissionsBoundary',
      Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${this.boundaryName}`),
    );
    const stack = Stack.of(node);
    // L2 roles hold a lazy physical name that resolves to nothing unless the role was named.
    const declared: unknown = (node as CfnResource & { roleName?: unknown }).roleName ?? rawProperty(node, 'RoleName');
    const explicit: unknown = declared === undefined ? undefined : stack.resolve(declared);
    if (explicit === undefined) {
      node.addPropertyOverride('RoleName', this.generatedName(stack.stackName, stack.resolve(node.logicalId) as string));
    } else if (typeof explicit !== 'string' || Token.isUnresolved(explicit) || !explicit.startsWith(this.namePrefix)) {
      throw new Error(
        `role ${node.node.path} is named ${JSON.stringify(explicit)}: every role of these stacks must have a literal name starting with ${this.namePrefix} (the execution policy allows no other)`,
      );
    }
  }

  /**
   * `<prefix><stack name>-<logical id>`, the shape CloudFormation would generate, prefixed when
   * the stack name lacks it and cut to IAM's 64 characters with a hash of the whole keeping it
   * unique.
   */
  private generatedName(stackName: string, logicalId: string): string {
    const base = `${stackName.startsWith(this.namePrefix) ? '' : this.namePrefix}${stackName}-${logicalId}`.replace(/[^A-Za-z0-9+=,.@_-]/g, '-');
    if (base.length <= ROLE_NAME_MAX) return base;
    const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
    return `${base.slice(0, ROLE_NAME_MAX - hash.length - 1)}-${hash}`;
  }
}

/** A property of a plain `CfnResource` (custom resource providers write their roles that way). */
function rawProperty(node: CfnResource, name: string): unknown {
  const properties = (node as unknown as { _cfnProperties?: Record<string, unknown> })._cfnProperties;
  return properties?.[name];
}
