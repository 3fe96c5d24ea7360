import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { SOURCE_CONDITION_SERVICES, type SourceConditionSupport } from '../ConfusedDeputyProtection';
import { asList, field, literalText, policyStatements, templateProperties } from './cfn';

/**
 * The condition keys a service principal supports to name the account or resource it acts for;
 * undefined (or empty) when it supports none, so nothing is required of its statements.
 */
export type SourceConditionKeys = (servicePrincipal: string) => readonly string[] | undefined;

/** Looks a service principal up in a table of condition keys keyed by principal. */
export function sourceConditionKeysIn(table: Readonly<Record<string, readonly string[]>>): SourceConditionKeys {
  return (servicePrincipal) => (Object.hasOwn(table, servicePrincipal) ? table[servicePrincipal] : undefined);
}

/**
 * The keys each principal of the shared confused-deputy table documents (the table the
 * ConfusedDeputyProtection aspect writes the conditions from): `aws:SourceAccount` and/or
 * `aws:SourceArn`.
 */
export function sourceConditionKeysOf(services: Readonly<Record<string, SourceConditionSupport>>): SourceConditionKeys {
  return (servicePrincipal) => {
    if (!Object.hasOwn(services, servicePrincipal)) return undefined;
    const support = services[servicePrincipal];
    return [...(support?.sourceAccount ? ['aws:SourceAccount'] : []), ...(support?.sourceArn ? ['aws:SourceArn'] : [])];
  };
}

/** `logs.eu-west-1.amazonaws.com` and `logs.<Region>.amazonaws.com` are `logs.amazonaws.com` in the table. */
function withoutRegion(servicePrincipal: string): string {
  return servicePrincipal.replace(/^([^.]+)\.(<Region>|[a-z]{2}(-[a-z]+)+-\d)\.(amazonaws\.com(\.cn)?)$/, '$1.$4');
}

/** The condition keys a statement's condition block names (any operator), lowercased. */
function conditionKeys(statement: Record<string, unknown>): Set<string> {
  const keys = new Set<string>();
  const condition = field(statement, 'condition');
  if (condition === null || typeof condition !== 'object') return keys;
  for (const block of Object.values(condition as Record<string, unknown>)) {
    if (block !== null && typeof block === 'object') for (const key of Object.keys(block)) keys.add(key.toLowerCase());
  }
  return keys;
}

function unprotectedStatement(statement: Record<string, unknown>, keysFor: SourceConditionKeys): boolean {
  if (field(statement, 'effect') !== 'Allow') return false;
  const present = conditionKeys(statement);
  return asList(field(field(statement, 'principal'), 'service')).some((principal) => {
    const text = literalText(principal);
    if (text === undefined) return false;
    const supported = keysFor(text) ?? keysFor(withoutRegion(text)) ?? [];
    return supported.length > 0 && !supported.some((key) => present.has(key.toLowerCase()));
  });
}

/**
 * A role trust policy or a KMS key policy that lets an AWS service principal in names the
 * account or resource it may act for (`aws:SourceAccount` / `aws:SourceArn`), for every service
 * principal `keysFor` knows to support (by default those of {@link SOURCE_CONDITION_SERVICES}): otherwise the service can be made to act for
 * another account (the confused deputy).
 *
 * @param keysFor the condition keys each service principal supports
 */
export function servicePrincipalSourceConditions(
  keysFor: SourceConditionKeys = sourceConditionKeysOf(SOURCE_CONDITION_SERVICES),
): (node: CfnResource) => NagRuleCompliance {
  return (node) => {
    const policyProperty =
      node.cfnResourceType === 'AWS::IAM::Role' ? 'AssumeRolePolicyDocument' : node.cfnResourceType === 'AWS::KMS::Key' ? 'KeyPolicy' : undefined;
    if (!policyProperty) return NagRuleCompliance.NOT_APPLICABLE;
    const statements = policyStatements(templateProperties(node)[policyProperty]);
    return statements.some((statement) => unprotectedStatement(statement, keysFor))
      ? NagRuleCompliance.NON_COMPLIANT
      : NagRuleCompliance.COMPLIANT;
  };
}

/** The rule with the shared table, {@link SOURCE_CONDITION_SERVICES}. */
const ServicePrincipalSourceConditions = servicePrincipalSourceConditions();
export default ServicePrincipalSourceConditions;
