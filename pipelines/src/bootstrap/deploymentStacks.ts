import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Stage, Token } from 'aws-cdk-lib';
import { PrivateApiApp } from '@private-api/compliance';
import { environmentsOf, managedConsumers, type DeploymentConfig } from '@private-api/config';
import { ConsumerStage } from '@private-api/consumer';
import { ProviderStage } from '@private-api/provider';
import type { IConstruct } from 'constructs';
import { PipelineStack, pipelineStackName } from '../PipelineStack';
import type { AccountKind, DeployedStack } from './deployPolicies';

function kindOf(stack: Stack): AccountKind {
  let scope: IConstruct | undefined = stack;
  while (scope) {
    if (scope instanceof ProviderStage) return 'provider';
    if (scope instanceof ConsumerStage) return 'consumer';
    scope = scope.node.scope;
  }
  return 'pipeline';
}

/**
 * Every stack the config deploys, synthesized in process exactly as the pipeline (or, without a
 * pipeline section, the standalone apps) would, with the kind of account it lands in. The
 * compliance checks run as in any synth, so a non-compliant config stops here too.
 */
export function deploymentStacks(config: DeploymentConfig): DeployedStack[] {
  const outdir = mkdtempSync(join(tmpdir(), 'deploy-policies-'));
  try {
    const app = new PrivateApiApp({ outdir });
    if (config.pipeline) {
      for (const environment of environmentsOf(config)) {
        new PipelineStack(app, pipelineStackName(config, environment), { config, environment });
      }
    } else {
      for (const environment of environmentsOf(config)) {
        new ProviderStage(app, `${environment.name}-Provider`, { config: environment });
        for (const consumer of managedConsumers(environment)) {
          new ConsumerStage(app, `${environment.name}-Consumer-${consumer.name}`, { config: environment, consumer });
        }
      }
    }
    app.synth();
    const stacks = app.node.findAll().filter((node): node is Stack => Stack.isStack(node));
    return stacks.map((stack) => {
      const stage = Stage.of(stack);
      if (!stage) throw new Error(`stack ${stack.node.path} is in no stage`);
      if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
        throw new Error(`stack ${stack.node.path} has no explicit account and region`);
      }
      const artifact = stage.synth().getStackArtifact(stack.artifactId);
      return {
        kind: kindOf(stack),
        account: stack.account,
        region: stack.region,
        stackName: stack.stackName,
        template: artifact.template as DeployedStack['template'],
      };
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
