import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Construct } from 'constructs';

const PART = Symbol.for('@private-api/provider.StackPart');

/**
 * A named group of a stack's resources that exists in the code only: its resources get the
 * logical IDs they would have if they sat directly in the stack (a {@link PartedStack} leaves
 * the part's id out of their path). So a stack can be split into readable parts, or parts moved
 * around, without CloudFormation replacing a single resource: a logical ID change would replace
 * the cluster, the service and the load balancers, and fail on the fixed-name SSM parameter.
 *
 * The price: two parts of one stack must not give children the same id. {@link PartedStack}
 * refuses a template where that happens, naming both paths.
 */
export class StackPart extends Construct {
  public static isStackPart(x: unknown): x is StackPart {
    return x !== null && typeof x === 'object' && PART in x;
  }

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, PART, { value: true });
  }
}

/** A stack whose {@link StackPart}s are invisible in its logical IDs. */
export class PartedStack extends Stack {
  private readonly allocated = new Map<string, string>();

  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes;
    const visible = scopes.filter((scope, index) => index === 0 || !StackPart.isStackPart(scope) || scope === element);
    // Stack.allocateLogicalId reads only `node.scopes` (from the stack down) and `stack`: give it
    // the path without the parts, so the ID is computed exactly as CDK computes it.
    const id = super.allocateLogicalId({ node: { scopes: visible }, stack: element.stack } as unknown as CfnElement);
    const path = element.node.path;
    const first = this.allocated.get(id);
    if (first !== undefined && first !== path) {
      throw new Error(`${this.node.path}: ${first} and ${path} would share the logical ID ${id}; rename one of them`);
    }
    this.allocated.set(id, path);
    return id;
  }
}
