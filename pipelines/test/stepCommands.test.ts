import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { alarmReaderRoleArn, connectionAcceptorRoleArn, deploymentAlarmNames, managedConsumers, type EnvironmentConfig } from '@private-api/config';
import { fixtureConfig } from '@private-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAcceptArgs } from '../src/accept/parseAcceptArgs';
import { parseBakeArgs } from '../src/bake/parseBakeArgs';
import type { CliArgsParse } from '../src/cli/runCli';
import { PipelineStack, pipelineStackName, SERVICE_NAME_VARIABLE } from '../src/PipelineStack';
import { parseSmokeArgs } from '../src/smoke/parseSmokeArgs';
import { allBuildSpecs } from './pipelineTemplate';

/** What CodeBuild would pass the CLI: the command's words after the script, variables expanded, up to `||`. */
function argvOf(command: string, script: string, variables: Record<string, string>): string[] {
  const start = command.indexOf(script);
  const words = command
    .slice(start + script.length)
    .split(' || ')[0]
    ?.trim()
    .split(/\s+/)
    .map((word) => word.replace(/^"\$([A-Z_]+)"$/, (_, name: string) => variables[name] ?? `<unset ${name}>`));
  return words ?? [];
}

describe('the commands the pipeline writes are valid for the CLIs they run (fixture qa, a 4-minute bake)', () => {
  let outdir: string;
  let qa: EnvironmentConfig;
  let commands: string[];

  beforeAll(() => {
    // GIVEN qa's pipeline, synthesized
    const config = fixtureConfig((draft) => {
      draft.environments = draft.environments.filter((environment) => environment.name === 'qa');
      for (const environment of draft.environments) environment.provider.monitoring = { bakeMinutes: 4 };
    });
    const [only] = config.environments;
    if (!only) throw new Error('the fixture has qa');
    qa = only;
    outdir = mkdtempSync(join(tmpdir(), 'step-commands-'));
    const stack = new PipelineStack(new App({ outdir }), pipelineStackName(config, qa), { config, environment: qa });
    commands = allBuildSpecs(Template.fromStack(stack)).flatMap((buildSpec) => buildSpec.phases.build.commands.flatMap((command) => command.split('\n')));
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  const parsedBy = <Args>(script: string, parse: (argv: readonly string[]) => CliArgsParse<Args>, variables: Record<string, string> = {}): Args[] => {
    const found = commands.filter((command) => command.includes(script));
    expect(found.length).toBeGreaterThan(0);
    return found.map((command) => {
      const parsed = parse(argvOf(command, script, variables));
      if (parsed.kind !== 'args') throw new Error(`${command} does not parse: ${parsed.kind === 'error' ? parsed.message : 'help'}`);
      return parsed.args;
    });
  };

  it('the bake step: the alarm reader, the deployment alarms, the configured minutes', () => {
    expect(parsedBy('pipelines/src/bake/main.ts', parseBakeArgs)).toEqual([
      expect.objectContaining({ roleArn: alarmReaderRoleArn(qa), region: qa.provider.region, alarms: deploymentAlarmNames(qa), minutes: 4 }),
    ]);
  });

  it("the acceptance: the acceptor, the provider's service (from the CodePipeline variable) and the wave's accounts", () => {
    const serviceName = `com.amazonaws.vpce.${qa.provider.region}.vpce-svc-0123456789abcdef0`;
    const [args] = parsedBy('pipelines/src/accept/main.ts', parseAcceptArgs, { [SERVICE_NAME_VARIABLE]: serviceName });
    expect(args).toMatchObject({ roleArn: connectionAcceptorRoleArn(qa), serviceName, region: qa.provider.region });
    expect(JSON.stringify(args)).toContain(managedConsumers(qa)[0]?.account ?? 'no consumer');
  });

  it('the smoke tests: one per managed consumer', () => {
    const parsed = parsedBy('pipelines/src/smoke/main.ts', parseSmokeArgs);
    expect(parsed.map((args) => args.consumer)).toEqual(managedConsumers(qa).map((consumer) => consumer.name));
  });
});
