import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bootstrapTemplateWithoutLookupTrust, cliBootstrapTemplatePath } from '../../src/bootstrap/bootstrapTemplate';

type Template = {
  Resources: Record<string, { Properties: { AssumeRolePolicyDocument?: { Statement: unknown[] } } }>;
  Outputs: Record<string, unknown>;
};

/** The account principals a role's trust policy names, conditional statements by their condition. */
function trusted(template: Template, role: string): string[] {
  return (template.Resources[role]?.Properties.AssumeRolePolicyDocument?.Statement ?? []).map((entry) => {
    const conditional = (entry as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
    return conditional ? `if ${conditional[0]}` : JSON.stringify((entry as { Principal: unknown }).Principal);
  });
}

describe('the bootstrap template without lookup trust', () => {
  const stock = parse(readFileSync(cliBootstrapTemplatePath(), 'utf8')) as Template;
  const ours = parse(bootstrapTemplateWithoutLookupTrust()) as Template;

  it('starts from the pinned CLI’s own template, whose lookup role trusts the --trust accounts', () => {
    expect(trusted(stock, 'LookupRole')).toEqual(expect.arrayContaining(['if HasTrustedAccounts', 'if HasTrustedAccountsForLookup']));
  });

  it('lets only the account itself assume the lookup role', () => {
    expect(trusted(ours, 'LookupRole')).toEqual([JSON.stringify({ AWS: { Ref: 'AWS::AccountId' } }), JSON.stringify({ AWS: { Ref: 'AWS::AccountId' } })]);
  });

  it('changes nothing else: the deploy and publishing roles still trust the pipeline account, outputs and version unchanged', () => {
    for (const role of ['DeploymentActionRole', 'FilePublishingRole', 'ImagePublishingRole', 'CloudFormationExecutionRole']) {
      expect(ours.Resources[role]).toEqual(stock.Resources[role]);
    }
    expect(trusted(ours, 'DeploymentActionRole')).toContain('if HasTrustedAccounts');
    expect(ours.Outputs).toEqual(stock.Outputs);
    const withoutLookup = (resources: Template['Resources']): Template['Resources'] =>
      Object.fromEntries(Object.entries(resources).filter(([name]) => name !== 'LookupRole'));
    expect(withoutLookup(ours.Resources)).toEqual(withoutLookup(stock.Resources));
  });

  it('fails loudly when the CLI’s template no longer has the shape it edits', () => {
    expect(() => bootstrapTemplateWithoutLookupTrust('Resources: {}\n')).toThrow(/no LookupRole trust policy/);
    const withoutTrust = 'Resources:\n  LookupRole:\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n';
    expect(() => bootstrapTemplateWithoutLookupTrust(withoutTrust)).toThrow(/no longer grants the lookup role/);
  });
});
