import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { environmentsOf, loadDeploymentConfig } from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { describe, expect, it } from 'vitest';
import { ProviderStage } from '../src/index';

/**
 * The one test of the example deploy.config.ts: whatever a fork puts there must synthesize.
 * It asserts only what follows from the loaded config, never the example's values.
 */
const exampleConfig = resolve(import.meta.dirname, '../../../deploy.config.ts');

describe('the example deploy.config.ts', () => {
  it("synthesizes every environment's provider stage, in the provider's account and region, with zero unacknowledged findings", async () => {
    // GIVEN the repository's deploy.config.ts
    const config = await loadDeploymentConfig(exampleConfig);
    const outdir = mkdtempSync(join(tmpdir(), 'provider-example-'));
    try {
      // WHEN one provider stage per environment is synthesized with both compliance packs
      const app = new PrivateApiApp({ outdir });
      const stages = environmentsOf(config).map(
        (environment) => [environment, new ProviderStage(app, `Provider-${environment.name}`, { config: environment })] as const,
      );
      const findings = unacknowledgedFindings(app);
      // THEN nothing is unacknowledged, and each stage deploys where its environment says
      expect(findings).toEqual([]);
      expect(stages.length).toBeGreaterThan(0);
      for (const [environment, stage] of stages) {
        expect([stage.account, stage.region]).toEqual([environment.provider.account, environment.provider.region]);
        expect(stage.serviceStack.stackName).toBe(`${environment.serviceName}-${environment.name}-provider-service`);
        expect(stage.serviceStack.taskDefinition.containerPort).toBe(environment.service.containerPort);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
