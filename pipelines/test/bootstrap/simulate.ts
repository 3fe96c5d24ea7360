import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../../src/bootstrap/deployPolicies';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly account: string;
  readonly context?: Record<string, string | string[]>;
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
      ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }] } : {}),
    },
    {},
  );
  if (response.resultType === 'error') {
    throw new Error(`invalid simulation of ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Decision;
}
