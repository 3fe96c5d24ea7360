import { runSimulation } from '@cloud-copilot/iam-simulate';
import { fixtureConfig } from '@private-api/testing';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/bootstrap/deployPolicies';
import { cdkRolesResourceControlPolicy, cdkRolesServiceControlPolicy } from '../../src/bootstrap/organizationPolicies';

const config = fixtureConfig();
const pipeline = config.pipeline?.account ?? '';
const provider = config.environments[0]?.provider.account ?? '';
const region = config.environments[0]?.provider.region ?? '';
const deployRole = `arn:aws:iam::${provider}:role/cdk-hnb659fds-deploy-role-${provider}-${region}`;
const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' }] };

/** A trust policy like the bootstrap template's: the accounts given may assume the role. */
function trusting(...accounts: string[]): unknown {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: accounts.map((account) => `arn:aws:iam::${account}:root`) }, Action: 'sts:AssumeRole' }],
  };
}

async function assume(
  principal: string,
  trust: unknown,
  organization: { scp: boolean; rcp: boolean },
  breakGlass: string[] = [],
): Promise<string> {
  const [, , , , principalAccount = ''] = principal.split(':');
  const response = await runSimulation(
    {
      request: {
        principal,
        action: 'sts:AssumeRole',
        resource: { resource: deployRole, accountId: provider },
        // What AWS sets on every signed request (the simulator does not derive them).
        contextVariables: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': principalAccount, 'aws:PrincipalIsAWSService': 'false' },
      },
      identityPolicies: [
        { name: 'may-assume-cdk-roles', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/cdk-*' }] } },
      ],
      serviceControlPolicies: organization.scp
        ? [
            { orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }] },
            { orgIdentifier: principalAccount, policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }, { name: 'cdk-roles', policy: cdkRolesServiceControlPolicy(config, breakGlass) }] },
          ]
        : [],
      resourceControlPolicies: organization.rcp
        ? [{ orgIdentifier: provider, policies: [{ name: 'cdk-roles', policy: cdkRolesResourceControlPolicy(config, breakGlass) }] }]
        : [],
      resourcePolicy: trust,
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
  return response.overallResult;
}

describe('the organization policies around the cdk-* roles (real IAM evaluation)', () => {
  const pipelineRole = `arn:aws:iam::${pipeline}:role/${config.serviceName}-qa-pipeline-PipelineRoleB27FAA37`;

  it('let the pipeline’s roles assume a member account’s deploy role', async () => {
    expect(await assume(pipelineRole, trusting(pipeline), { scp: true, rcp: true })).toBe('Allowed');
  });

  it('stop any other principal of the pipeline account, whom the bootstrap trust would let in', async () => {
    expect(await assume(pipelineRole, trusting(pipeline), { scp: false, rcp: false })).toBe('Allowed');
    expect(await assume(`arn:aws:iam::${pipeline}:role/Developer`, trusting(pipeline), { scp: false, rcp: false })).toBe('Allowed');
    expect(await assume(`arn:aws:iam::${pipeline}:role/Developer`, trusting(pipeline), { scp: true, rcp: false })).toBe('ExplicitlyDenied');
    expect(await assume(`arn:aws:iam::${pipeline}:role/Developer`, trusting(pipeline), { scp: false, rcp: true })).toBe('ExplicitlyDenied');
  });

  it('stop a principal of the member account itself', async () => {
    expect(await assume(`arn:aws:iam::${provider}:role/Developer`, trusting(provider), { scp: true, rcp: true })).toBe('ExplicitlyDenied');
  });

  it('stop an account outside the organization even when a trust policy was widened to it (the RCP binds the role)', async () => {
    const outsider = 'arn:aws:iam::999999999999:role/Attacker';
    expect(await assume(outsider, trusting(pipeline, '999999999999'), { scp: false, rcp: false })).toBe('Allowed');
    expect(await assume(outsider, trusting(pipeline, '999999999999'), { scp: false, rcp: true })).toBe('ExplicitlyDenied');
  });

  it('exempt the break-glass roles named, and refuse something that is not a role ARN', async () => {
    const breakGlass = `arn:aws:iam::${pipeline}:role/BreakGlass`;
    expect(await assume(breakGlass, trusting(pipeline), { scp: true, rcp: true })).toBe('ExplicitlyDenied');
    expect(await assume(breakGlass, trusting(pipeline), { scp: true, rcp: true }, [breakGlass])).toBe('Allowed');
    expect(() => cdkRolesServiceControlPolicy(config, ['BreakGlass'])).toThrow('--break-glass must be IAM role ARNs, got "BreakGlass"');
  });

  it('need a pipeline section (without one, nothing assumes the cdk-* roles across accounts)', () => {
    expect(() => cdkRolesServiceControlPolicy(fixtureConfig((input) => delete input.pipeline))).toThrow(/pipeline/);
  });
});
