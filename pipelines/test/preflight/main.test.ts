import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, STSServiceException, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { fixtureInput, writeConfigFile } from '@private-api/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const tsxCli = resolve(workspaceRoot, 'node_modules/tsx/dist/cli.mjs');
const mainScript = resolve(workspaceRoot, 'pipelines/src/preflight/main.ts');
const configFolders: string[] = [];

/** The fixture config's pipeline account and the consumer account the in-process run breaks. */
const PIPELINE = '210000000009';
const CONSUMER = '210000000002';

afterAll(() => {
  for (const folder of configFolders) rmSync(folder, { recursive: true, force: true });
});

function fixtureConfigFile(edit?: Parameters<typeof fixtureInput>[0]): string {
  const configPath = writeConfigFile(fixtureInput(edit));
  configFolders.push(dirname(configPath));
  return configPath;
}

describe('main (preflight CLI)', () => {
  it('exits 2 with one readable line naming `pipeline` and what to do when the config has no pipeline section', () => {
    // GIVEN the fixture config without its pipeline section, in a file
    const configPath = fixtureConfigFile((input) => {
      delete input.pipeline;
    });
    // WHEN the preflight runs on it, without credentials (it must stop before calling AWS)
    const run = spawnSync(process.execPath, [tsxCli, mainScript, configPath], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env['PATH'] ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    // THEN it names the missing section and both ways forward, with no stack trace
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^preflight failed: /);
    expect(run.stderr).toMatch(
      /^ {2}- pipeline: is required by the preflight check: add a pipeline section \(account, region, repository, connectionArn\), or deploy the provider and consumer apps by hand/m,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('main (preflight CLI) against mocked AWS', () => {
  const argv = process.argv;
  const exitCode = process.exitCode;

  afterEach(() => {
    process.argv = argv;
    process.exitCode = exitCode;
    vi.restoreAllMocks();
  });

  it("checks each account's bootstrap stack against the config's service names and prints the bootstrap tool command for each ✗", async () => {
    // GIVEN the fixture config (service fixture-api) in a file, every account trusting the pipeline account
    // to deploy and not to look up, the qa consumer alpha bootstrapped by hand with AdministratorAccess and no boundary
    const configPath = fixtureConfigFile();
    /** The account of the deploy role assumed last: the one GetCallerIdentity and DescribeStacks then answer for. */
    let assumed: string | undefined;
    const sts = mockClient(STSClient);
    const cloudFormation = mockClient(CloudFormationClient);
    try {
      sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
        const roleArn = input.RoleArn ?? '';
        if (roleArn.includes('-lookup-role-')) {
          throw new STSServiceException({
            name: 'AccessDenied',
            $fault: 'client',
            $metadata: {},
            message: `User: arn:aws:sts::${PIPELINE}:assumed-role/Admin/me is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          });
        }
        assumed = roleArn.split(':')[4];
        return { Credentials: { AccessKeyId: `ASIA-${assumed}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date() } };
      });
      sts.on(GetCallerIdentityCommand).callsFake(() => {
        const account = assumed ?? PIPELINE;
        return { Account: account, Arn: `arn:aws:sts::${account}:assumed-role/Admin/me` };
      });
      cloudFormation.on(DescribeStacksCommand).callsFake(() => {
        const account = assumed ?? 'none';
        const parameters: Parameter[] =
          account === CONSUMER
            ? [
                { ParameterKey: 'CloudFormationExecutionPolicies', ParameterValue: 'arn:aws:iam::aws:policy/AdministratorAccess' },
                { ParameterKey: 'InputPermissionsBoundary', ParameterValue: '' },
                { ParameterKey: 'TrustedAccountsForLookup', ParameterValue: '' },
              ]
            : [
                {
                  ParameterKey: 'CloudFormationExecutionPolicies',
                  ParameterValue: `arn:aws:iam::${account}:policy/fixture-api-cdk-exec-provider,arn:aws:iam::${account}:policy/fixture-api-cdk-exec-consumer-2`,
                },
                { ParameterKey: 'InputPermissionsBoundary', ParameterValue: 'fixture-api-permissions-boundary' },
                { ParameterKey: 'TrustedAccountsForLookup', ParameterValue: '' },
              ];
        return { Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Parameters: parameters }] };
      });
      const output: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        output.push(String(chunk));
        return true;
      });
      process.argv = [argv[0] ?? process.execPath, mainScript, configPath];
      process.exitCode = undefined;

      // WHEN the preflight CLI runs on it
      await import('../../src/preflight/main');
      await vi.waitFor(
        () => {
          expect(process.exitCode).toBeDefined();
        },
        { timeout: 20_000, interval: 20 },
      );

      // THEN every account gets a deploy and a bootstrap row, only the consumer's bootstrap row is ✗
      // (naming both problems and the config's boundary), its fix is the bootstrap tool, and the exit code is 1
      const lines = output.join('').split('\n');
      expect(process.exitCode).toBe(1);
      expect(lines).toContain(
        '210000000002  us-east-2  qa consumer alpha    bootstrap  ✗   ' +
          'execution policy arn:aws:iam::aws:policy/AdministratorAccess is wider than the generated least-privilege policies; ' +
          'no permissions boundary (expected fixture-api-permissions-boundary)',
      );
      expect(lines).toContain('210000000005  us-east-2  live provider        bootstrap  ✓');
      expect(lines.filter((line) => line.includes(' bootstrap  ✓'))).toHaveLength(5);
      expect(lines.slice(-7)).toEqual([
        '',
        '# fix: bootstrap each account/region marked ✗, with credentials for that account:',
        '# qa consumer alpha (210000000002/us-east-2)',
        'AWS_PROFILE=<profile of 210000000002> npm run bootstrap -- --account 210000000002',
        '',
        '11 of 12 checks OK',
        '',
      ]);
      expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(6);
    } finally {
      sts.restore();
      cloudFormation.restore();
    }
  });
});
