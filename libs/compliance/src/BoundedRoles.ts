import { AspectPriority, Aspects, CfnResource, Fn, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface BoundedRolesProps {
  /**
   * Name of the customer-managed policy every role gets as its permissions boundary. It must
   * exist in every account the roles deploy to (tools/bootstrap.ts creates it).
   */
  readonly boundaryName: string;
  /** The IAM path every role goes under (`/<service name>/`); the execution policy allows only it. */
  readonly path: string;
}

const ROLE_PATH = /^\/([A-Za-z0-9+=,.@_-]+\/)+$/;
const POLICY_NAME = /^[A-Za-z0-9+=,.@_-]{1,128}$/;

/**
 * Gives every IAM role under a scope our permissions boundary and role path, whoever wrote it:
 * our own `iam.Role`s, the roles CDK Pipelines generates, and the `AWS::IAM::Role` resources of
 * CDK's custom resource providers (plain `CfnResource`s). The CloudFormation execution policy
 * allows creating roles only with both, so a role this aspect missed fails the deploy; the
 * compliance rule IAM-BOUNDARY fails the synth first.
 */
export class BoundedRoles implements IAspect {
  private readonly boundaryName: string;
  private readonly path: string;

  public constructor(props: BoundedRolesProps) {
    if (!POLICY_NAME.test(props.boundaryName)) {
      throw new Error(`BoundedRoles: boundaryName must be an IAM policy name, got ${JSON.stringify(props.boundaryName)}`);
    }
    if (!ROLE_PATH.test(props.path) || props.path.length > 512) {
      throw new Error(`BoundedRoles: path must look like /name/ (at most 512 characters), got ${JSON.stringify(props.path)}`);
    }
    this.boundaryName = props.boundaryName;
    this.path = props.path;
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
    node.addPropertyOverride('Path', this.path);
  }
}
