import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

/** The bootstrap template the pinned CDK CLI ships (what `cdk bootstrap --show-template` prints). */
export function cliBootstrapTemplatePath(): string {
  const require = createRequire(__filename);
  return join(dirname(require.resolve('aws-cdk/package.json')), 'lib/api/bootstrap/bootstrap-template.yaml');
}

interface TrustStatement {
  readonly Principal?: { readonly AWS?: unknown };
}

/** A conditional statement `Fn::If: [condition, statement, AWS::NoValue]`, or a plain statement. */
type StatementEntry = TrustStatement | { readonly 'Fn::If': [string, TrustStatement, unknown] };

function isTrustedAccountsStatement(entry: StatementEntry): boolean {
  const conditional = (entry as { 'Fn::If'?: [string, TrustStatement, unknown] })['Fn::If'];
  return conditional !== undefined && (conditional[0] === 'HasTrustedAccounts' || conditional[0] === 'HasTrustedAccountsForLookup');
}

/**
 * The CLI's bootstrap template with one change: the lookup role trusts its own account only.
 * The stock template makes every `--trust` account a lookup principal too (read access to the
 * whole account's resource descriptions), and our synth never looks anything up. Everything
 * else — versions, outputs, the deploy and publishing roles' trust of the pipeline account — is
 * the CLI's own, so `cdk bootstrap` keeps upgrading it with the CLI.
 */
export function bootstrapTemplateWithoutLookupTrust(source = readFileSync(cliBootstrapTemplatePath(), 'utf8')): string {
  const template = parse(source) as {
    Resources?: Record<string, { Properties?: { AssumeRolePolicyDocument?: { Statement?: StatementEntry[] } } }>;
  };
  const statements = template.Resources?.LookupRole?.Properties?.AssumeRolePolicyDocument?.Statement;
  if (!statements) throw new Error('the CDK bootstrap template has no LookupRole trust policy: the CLI changed its template, review bootstrapTemplate.ts');
  const kept = statements.filter((entry) => !isTrustedAccountsStatement(entry));
  if (kept.length === statements.length) {
    throw new Error('the CDK bootstrap template no longer grants the lookup role to trusted accounts the way bootstrapTemplate.ts expects: review it');
  }
  statements.splice(0, statements.length, ...kept);
  return stringify(template, { lineWidth: 0 });
}
