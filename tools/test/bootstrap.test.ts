import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fixtureConfig } from '@private-api/testing';
import { describe, expect, it } from 'vitest';
import { bootstrapPlan } from '../bootstrap';

const root = resolve(import.meta.dirname, '../..');

describe('bootstrap plan', () => {
  const config = fixtureConfig();
  const pipeline = config.pipeline;
  const qa = config.environments[0];
  if (!pipeline || !qa) throw new Error('the fixture has a pipeline and a qa environment');
  const [alpha, , gamma] = qa.consumers;
  if (!alpha || !gamma) throw new Error('the fixture has consumers alpha and gamma');
  const policyName = `${config.serviceName}-cdk-cloudformation-execution`;

  it('creates the least-privilege policy, then bootstraps a target account trusting the pipeline account', () => {
    const steps = bootstrapPlan(config, alpha.account, '/repo/bootstrap/cdk-execution-policy.json');
    expect(steps.map((step) => step.command.join(' '))).toEqual([
      `aws iam create-policy --policy-name ${policyName} --policy-document file:///repo/bootstrap/cdk-execution-policy.json --description CloudFormation execution policy for CDK deploys (least privilege, no IAM users or keys)`,
      `npx cdk bootstrap aws://${alpha.account}/${alpha.region} --trust ${pipeline.account} --trust-for-lookup ${pipeline.account} --cloudformation-execution-policies arn:aws:iam::${alpha.account}:policy/${policyName}`,
    ]);
  });

  it('bootstraps the pipeline account without trusting anybody else', () => {
    const steps = bootstrapPlan(config, pipeline.account, '/p.json');
    expect(steps[1]?.command).not.toContain('--trust');
  });

  it('trusts no other account when the config has no pipeline (apps deployed by hand)', () => {
    const byHand = fixtureConfig((input) => delete input.pipeline);
    const steps = bootstrapPlan(byHand, qa.provider.account, '/p.json');
    expect(steps.map((step) => step.command.includes('--trust'))).toEqual([false, false]);
    expect(steps[1]?.description).toMatch(/no pipeline: deployed by hand/);
  });

  it('fails for an account the config does not name, and for a self-managed consumer (nothing is deployed there)', () => {
    expect(() => bootstrapPlan(config, '999999999999', '/p.json')).toThrow(/account 999999999999 is not in the deployment config/);
    expect(() => bootstrapPlan(config, gamma.account, '/p.json')).toThrow(new RegExp(`account ${gamma.account} is not in the deployment config`));
  });

  it('ships an execution policy that is not AdministratorAccess and forbids long-lived credentials', () => {
    const policy = JSON.parse(readFileSync(resolve(root, 'bootstrap/cdk-execution-policy.json'), 'utf8')) as {
      Statement: { Effect: string; Action: string | string[]; Resource: string | string[] }[];
    };
    const allows = policy.Statement.filter((statement) => statement.Effect === 'Allow');
    expect(allows.some((statement) => [statement.Action].flat().includes('*'))).toBe(false);
    const denied = policy.Statement.filter((statement) => statement.Effect === 'Deny').flatMap((statement) => [statement.Action].flat());
    expect(denied).toEqual(expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey', 'organizations:*']));
  });
});
