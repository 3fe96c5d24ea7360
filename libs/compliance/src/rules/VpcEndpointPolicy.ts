import { Stack, type CfnResource, CfnParameter } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { asList, field, literalText, policyStatements, templateProperties } from './cfn';

/**
 * A PrivateLink endpoint service (ours, a partner's, a Marketplace seller's), as opposed to an
 * AWS service (`com.amazonaws.<region>.<service>`, `aws.api.<region>.<service>`, …).
 */
const ENDPOINT_SERVICE_NAME = /^com\.amazonaws\.vpce\.[^.]+\.vpce-svc-[0-9a-z]+$/;

/**
 * The start of an `AllowedPattern` that admits endpoint service names only. CloudFormation
 * matches a parameter's whole value against its pattern, so a leading `^` is optional; a pattern
 * with an alternation (`|`) could admit anything and proves nothing.
 */
const ENDPOINT_SERVICE_PATTERN_PREFIX = 'com\\.amazonaws\\.vpce\\.';

function admitsEndpointServicesOnly(pattern: string | undefined): boolean {
  if (pattern === undefined || pattern.includes('|')) return false;
  return pattern.replace(/^\^/, '').startsWith(ENDPOINT_SERVICE_PATTERN_PREFIX);
}

type ServiceKind = 'endpoint-service' | 'aws-service' | 'unknown';

/**
 * What the endpoint connects to: read from a literal or a join of literals and pseudo
 * parameters, or from a template parameter whose `AllowedPattern` admits endpoint service
 * names only (the consumer kit's). Anything else (an SSM-typed parameter, an import) is unknown.
 */
function serviceKind(node: CfnResource, serviceName: unknown): ServiceKind {
  const text = literalText(serviceName);
  if (text !== undefined) return ENDPOINT_SERVICE_NAME.test(text) ? 'endpoint-service' : 'aws-service';
  const ref = (serviceName as { Ref?: unknown } | null)?.Ref;
  if (typeof ref !== 'string') return 'unknown';
  const parameter = Stack.of(node)
    .node.findAll()
    .find((child): child is CfnParameter => child instanceof CfnParameter && Stack.of(node).resolve(child.logicalId) === ref);
  return admitsEndpointServicesOnly(parameter?.allowedPattern) ? 'endpoint-service' : 'unknown';
}

function isWildcard(value: unknown): boolean {
  return asList(value).some((entry) => entry === '*');
}

/** An Allow statement for any principal and any action, with no condition: the default endpoint policy. */
function allowsEverything(statement: Record<string, unknown>): boolean {
  if (field(statement, 'effect') !== 'Allow') return false;
  const principal = field(statement, 'principal');
  const anyPrincipal = principal === undefined || principal === '*' || isWildcard(field(principal, 'AWS'));
  const action = field(statement, 'action');
  const anyAction = asList(action).some((entry) => entry === '*' || entry === '*:*');
  const condition = field(statement, 'condition');
  const noCondition = condition === undefined || (typeof condition === 'object' && condition !== null && Object.keys(condition).length === 0);
  return anyPrincipal && anyAction && noCondition;
}

/**
 * Gateway and interface endpoints to AWS services carry an endpoint policy that is more than the
 * default full access. Interface endpoints to a PrivateLink endpoint service are exempt: AWS
 * allows full access through them and they take no policy. An endpoint whose service the rule
 * cannot read counts as one to an AWS service.
 */
export default function VpcEndpointPolicy(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpoint') return NagRuleCompliance.NOT_APPLICABLE;
  const properties = templateProperties(node);
  const type = properties['VpcEndpointType'] ?? 'Gateway';
  if (type !== 'Gateway' && type !== 'Interface') return NagRuleCompliance.NOT_APPLICABLE;
  if (type === 'Interface' && serviceKind(node, properties['ServiceName']) === 'endpoint-service') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const statements = policyStatements(properties['PolicyDocument']);
  if (statements.length === 0 || statements.some(allowsEverything)) return NagRuleCompliance.NON_COMPLIANT;
  return NagRuleCompliance.COMPLIANT;
}
