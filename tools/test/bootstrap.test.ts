import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDeploymentConfig, type DeploymentConfig } from '@private-api/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapPlan } from '../bootstrap';

const root = resolve(import.meta.dirname, '../..');

describe('bootstrap plan', () => {
  let config: DeploymentConfig;
  beforeAll(async () => {
    config = await loadDeploymentConfig(resolve(root, 'deploy.config.ts'));
  });

  it('creates the least-privilege policy, then bootstraps a target account trusting the pipeline account', () => {
    const steps = bootstrapPlan(config, '222222222222', '/repo/bootstrap/cdk-execution-policy.json');
    expect(steps.map((step) => step.command.join(' '))).toEqual([
      'aws iam create-policy --policy-name task-api-cdk-cloudformation-execution --policy-document file:///repo/bootstrap/cdk-execution-policy.json --description CloudFormation execution policy for CDK deploys (least privilege, no IAM users or keys)',
      'npx cdk bootstrap aws://222222222222/eu-west-1 --trust 444444444444 --trust-for-lookup 444444444444 --cloudformation-execution-policies arn:aws:iam::222222222222:policy/task-api-cdk-cloudformation-execution',
    ]);
  });

  it('bootstraps the pipeline account without trusting anybody else', () => {
    const steps = bootstrapPlan(config, '444444444444', '/p.json');
    expect(steps[1]?.command).not.toContain('--trust');
  });

  it('fails for an account the config does not name', () => {
    expect(() => bootstrapPlan(config, '999999999999', '/p.json')).toThrow(/account 999999999999 is not in the deployment config/);
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
