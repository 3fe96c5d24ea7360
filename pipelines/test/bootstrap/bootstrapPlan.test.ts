import { fixtureConfig } from '@private-api/testing';
import { describe, expect, it } from 'vitest';
import { bootstrapPlan, type CommandStep } from '../../src/bootstrap/bootstrapPlan';
import type { AccountPolicies, PolicyDocument } from '../../src/bootstrap/deployPolicies';

const DOCUMENT: PolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'S', Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' }] };

function policiesOf(account: string, kinds: AccountPolicies['kinds'], parts = 1): AccountPolicies {
  return {
    account,
    kinds,
    regions: ['us-east-2'],
    boundary: { name: 'fixture-api-permissions-boundary', document: DOCUMENT, size: 100 },
    executionPolicies: kinds.flatMap((kind) =>
      Array.from({ length: parts }, (_, index) => ({ name: `fixture-api-cdk-exec-${kind}${index === 0 ? '' : `-${index + 1}`}`, document: DOCUMENT, size: 100 })),
    ),
  };
}

const commands = (steps: readonly { kind: string }[]): string[] =>
  steps.filter((step): step is CommandStep => step.kind === 'command').map((step) => step.command.join(' '));

describe('bootstrap plan', () => {
  const config = fixtureConfig();
  const pipelineAccount = config.pipeline?.account ?? '';
  const [qa] = config.environments;
  const [alpha, , gamma] = qa?.consumers ?? [];
  if (!qa || !alpha || !gamma) throw new Error('the fixture has a qa environment with consumers alpha and gamma');

  it('writes the boundary, the execution policies and the template, then bootstraps with all three, trusting the pipeline to deploy only', () => {
    const plan = bootstrapPlan(config, policiesOf(alpha.account, ['consumer']), '/out', 'template-body');
    expect(plan.files.map((file) => file.path)).toEqual([
      `/out/${alpha.account}/bootstrap-template.yaml`,
      `/out/${alpha.account}/fixture-api-permissions-boundary.json`,
      `/out/${alpha.account}/fixture-api-cdk-exec-consumer.json`,
    ]);
    expect(plan.files[0]?.content).toBe('template-body');
    expect(JSON.parse(plan.files[2]?.content ?? '')).toEqual(DOCUMENT);
    expect(plan.steps.map((step) => (step.kind === 'upsert-policy' ? step.policyArn : step.kind))).toEqual([
      `arn:aws:iam::${alpha.account}:policy/fixture-api-permissions-boundary`,
      `arn:aws:iam::${alpha.account}:policy/fixture-api-cdk-exec-consumer`,
      'command',
    ]);
    expect(commands(plan.steps)).toEqual([
      `npx cdk bootstrap aws://${alpha.account}/${alpha.region} --template /out/${alpha.account}/bootstrap-template.yaml ` +
        `--custom-permissions-boundary fixture-api-permissions-boundary ` +
        `--cloudformation-execution-policies arn:aws:iam::${alpha.account}:policy/fixture-api-cdk-exec-consumer --trust ${pipelineAccount}`,
    ]);
    expect(commands(plan.steps).join(' ')).not.toContain('--trust-for-lookup');
  });

  it('attaches every part of every kind an account runs', () => {
    const plan = bootstrapPlan(config, policiesOf(qa.provider.account, ['provider', 'consumer'], 2), '/out', 't');
    expect(commands(plan.steps)[0]).toContain(
      `--cloudformation-execution-policies ${['provider', 'provider-2', 'consumer', 'consumer-2'].map((name) => `arn:aws:iam::${qa.provider.account}:policy/fixture-api-cdk-exec-${name}`).join(',')}`,
    );
  });

  it('passes a non-default qualifier through, and refuses one CDK would not accept', () => {
    const plan = bootstrapPlan(config, policiesOf(alpha.account, ['consumer']), '/out', 't', { qualifier: 'team01' });
    expect(commands(plan.steps)[0]).toMatch(/ --qualifier team01$/);
    expect(commands(bootstrapPlan(config, policiesOf(alpha.account, ['consumer']), '/out', 't').steps)[0]).not.toContain('--qualifier');
    expect(() => bootstrapPlan(config, policiesOf(alpha.account, ['consumer']), '/out', 't', { qualifier: 'Team_01' })).toThrow(
      '--qualifier must be 1 to 10 lowercase letters or digits, got "Team_01"',
    );
  });

  it('bootstraps the pipeline account without trusting anybody, and trusts nobody without a pipeline', () => {
    expect(commands(bootstrapPlan(config, policiesOf(pipelineAccount, ['pipeline']), '/out', 't').steps)[0]).not.toContain('--trust');
    const byHand = fixtureConfig((input) => delete input.pipeline);
    const plan = bootstrapPlan(byHand, policiesOf(qa.provider.account, ['provider']), '/out', 't');
    expect(commands(plan.steps)[0]).not.toContain('--trust');
    expect(plan.steps.at(-1)?.description).toMatch(/no pipeline: deployed by hand/);
  });

  it('fails for an account the config does not deploy to, a self-managed consumer’s included', () => {
    expect(() => bootstrapPlan(config, policiesOf('999999999999', ['consumer']), '/out', 't')).toThrow(/account 999999999999 is not in the deployment config/);
    expect(() => bootstrapPlan(config, policiesOf(gamma.account, ['consumer']), '/out', 't')).toThrow(new RegExp(`account ${gamma.account} is not in the deployment config`));
  });
});
