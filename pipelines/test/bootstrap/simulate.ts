import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../../src/bootstrap/deployPolicies';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly account: string;
  readonly context?: Record<string, string | string[]>;
  /**
   * The resource's policy, for a resource of another account (a parameter shared through AWS RAM,
   * whose resource share is the policy): `account` is then the resource's account.
   */
  readonly resourcePolicy?: PolicyDocument | { readonly Version: '2012-10-17'; readonly Statement: readonly Record<string, unknown>[] };
}

/**
 * Evaluates one request with the real IAM policy evaluator (@cloud-copilot/iam-simulate,
 * offline): the principal's identity policies, and its permissions boundary when given.
 * A request the evaluator rejects as invalid (unknown action, wrong resource type, bad context
 * key) throws, so a typo cannot pass as a denial.
 */
export async function decide(request: Request, identity: readonly PolicyDocument[], boundary?: PolicyDocument): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.account },
        contextVariables: request.context ?? {},
      },
      identityPolicies: identity.map((policy, index) => ({ name: `execution-${index + 1}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
      ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }] } : {}),
    },
    {},
  );
  if (response.resultType === 'error') {
    throw new Error(`invalid simulation of ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Decision;
}
