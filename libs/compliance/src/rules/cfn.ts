import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRules } from 'cdk-nag';

/**
 * Helpers our rules share: they read a resource's properties as CloudFormation will see them
 * (tokens resolved) and follow references to the security groups a resource uses.
 */

/** The resolved value of a property (tokens become intrinsics or literals). */
export function resolved(node: CfnResource, value: unknown): unknown {
  return Stack.of(node).resolve(value);
}

/**
 * The resource's properties exactly as its template will have them: declared properties plus
 * raw overrides (`addPropertyOverride`, which aspects such as BoundedRoles use and which the L1
 * attributes do not show), tokens resolved. Works for typed L1s and plain `CfnResource`s alike.
 */
export function templateProperties(node: CfnResource): Record<string, unknown> {
  // `_toCloudFormation` is how the stack renders the resource; it is the only public-typed way to
  // see raw overrides, and it has no side effects.
  const rendered = resolved(node, node._toCloudFormation()) as { Resources?: Record<string, { Properties?: unknown }> };
  const [resource] = Object.values(rendered.Resources ?? {});
  const properties = resource?.Properties;
  return properties !== null && typeof properties === 'object' ? (properties as Record<string, unknown>) : {};
}

/** A value that may be one item or a list of them, as a list. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The statements of a resolved policy document (empty when there is no readable list). */
export function policyStatements(document: unknown): Record<string, unknown>[] {
  return asList(field(document, 'statement')).filter(
    (statement): statement is Record<string, unknown> => statement !== null && typeof statement === 'object',
  );
}

/**
 * A string built from literals and pseudo parameters (`Fn::Join` with `Ref AWS::Region` and the
 * like), with each pseudo parameter as `<Name>`; undefined for anything else (parameters,
 * imports, attributes).
 */
export function literalText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  if (typeof ref === 'string') return ref.startsWith('AWS::') ? `<${ref.slice(5)}>` : undefined;
  const join = (value as { 'Fn::Join'?: unknown } | null)?.['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) return undefined;
  const parts = (join[1] as unknown[]).map(literalText);
  return parts.every((part): part is string => part !== undefined) ? parts.join(join[0]) : undefined;
}

/** Reads `key` from a resolved object whether the object is camelCase (L1 props) or PascalCase (CFN). */
export function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  const pascal = key.charAt(0).toUpperCase() + key.slice(1);
  return record[key] ?? record[pascal];
}

/** The logical id a `Ref`/`Fn::GetAtt` points at, or undefined when the value is something else. */
export function referencedLogicalId(node: CfnResource, value: unknown): string | undefined {
  const target: unknown = NagRules.resolveResourceFromIntrinsic(node, value);
  return typeof target === 'string' && !target.startsWith('sg-') ? target : undefined;
}

export function logicalIdOf(resource: CfnResource): string {
  return Stack.of(resource).resolve(resource.logicalId) as string;
}

/** All L1 resources of a type in the node's stack. */
export function resourcesInStack<T extends CfnResource>(node: CfnResource, type: new (...args: never[]) => T): T[] {
  return Stack.of(node)
    .node.findAll()
    .filter((child): child is T => child instanceof type);
}

/** One inbound rule, whatever resource declared it. */
export interface IngressRule {
  readonly ipProtocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrIp?: unknown;
  readonly cidrIpv6?: unknown;
  readonly sourcePrefixListId?: unknown;
  readonly sourceSecurityGroupId?: unknown;
}

function toIngressRule(node: CfnResource, raw: unknown): IngressRule {
  const value = resolved(node, raw);
  const port = (key: string): number | undefined => {
    const portValue = field(value, key);
    return typeof portValue === 'number' ? portValue : typeof portValue === 'string' ? Number(portValue) : undefined;
  };
  return {
    ipProtocol: String(field(value, 'ipProtocol') ?? '-1'),
    fromPort: port('fromPort'),
    toPort: port('toPort'),
    cidrIp: field(value, 'cidrIp'),
    cidrIpv6: field(value, 'cidrIpv6'),
    sourcePrefixListId: field(value, 'sourcePrefixListId'),
    sourceSecurityGroupId: field(value, 'sourceSecurityGroupId'),
  };
}

/**
 * The inbound rules of a security group: inline ones plus standalone ingress resources in its
 * stack, both read from the template (raw overrides included).
 */
export function ingressRulesOf(group: ec2.CfnSecurityGroup): IngressRule[] {
  const inline = templateProperties(group)['SecurityGroupIngress'];
  const rules = Array.isArray(inline) ? inline.map((rule) => toIngressRule(group, rule)) : [];
  const groupId = logicalIdOf(group);
  for (const standalone of resourcesInStack(group, ec2.CfnSecurityGroupIngress)) {
    const properties = templateProperties(standalone);
    if (referencedLogicalId(standalone, properties['GroupId']) === groupId) rules.push(toIngressRule(standalone, properties));
  }
  return rules;
}

/** The security groups (in the same stack) that a list of group ids refers to. */
export function securityGroupsReferenced(node: CfnResource, ids: unknown): ec2.CfnSecurityGroup[] {
  const list = resolved(node, ids);
  if (!Array.isArray(list)) return [];
  const wanted = new Set(list.map((id) => referencedLogicalId(node, id)).filter((id): id is string => id !== undefined));
  return resourcesInStack(node, ec2.CfnSecurityGroup).filter((group) => wanted.has(logicalIdOf(group)));
}

/** All resources of a CloudFormation type in the node's stack, typed L1s and plain `CfnResource`s alike. */
export function resourcesOfType(node: CfnResource, cfnType: string): CfnResource[] {
  return Stack.of(node)
    .node.findAll()
    .filter((child): child is CfnResource => child instanceof CfnResource && child.cfnResourceType === cfnType);
}

/** The resource of a type in the node's stack that a `Ref`/`Fn::GetAtt` points at, if any. */
export function referencedResource(node: CfnResource, value: unknown, cfnType: string): CfnResource | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = referencedLogicalId(node, value);
  return id === undefined ? undefined : resourcesOfType(node, cfnType).find((resource) => logicalIdOf(resource) === id);
}

/** True when a property is set: not absent, empty, or `Ref: AWS::NoValue`. */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return (value as { Ref?: unknown }).Ref !== 'AWS::NoValue';
}

/** True for CloudFormation's `true` (a boolean or the string, any case). */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** True when the rule's source is an address range rather than a security group. */
export function hasAddressSource(rule: IngressRule): boolean {
  return rule.cidrIp !== undefined || rule.cidrIpv6 !== undefined || rule.sourcePrefixListId !== undefined;
}

/** True when the rule admits every IPv4 or IPv6 address. */
export function admitsWholeInternet(rule: IngressRule): boolean {
  return rule.cidrIp === '0.0.0.0/0' || rule.cidrIpv6 === '::/0';
}

/** True when the rule admits TCP port 22 (explicitly, through a range, or with all protocols). */
export function admitsSsh(rule: IngressRule): boolean {
  if (rule.ipProtocol === '-1' || rule.ipProtocol === 'all') return true;
  if (rule.ipProtocol !== 'tcp' && rule.ipProtocol !== '6') return false;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return from <= 22 && 22 <= to;
}

/** The `Key`/`Value` attributes of a load balancer as a map. */
export function loadBalancerAttributes(node: CfnResource, attributes: unknown): Map<string, string> {
  const list = resolved(node, attributes);
  const map = new Map<string, string>();
  if (Array.isArray(list)) {
    for (const entry of list) {
      const key = field(entry, 'key');
      const value = field(entry, 'value');
      if (typeof key === 'string') map.set(key, String(value));
    }
  }
  return map;
}
