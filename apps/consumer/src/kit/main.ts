import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDeploymentConfig } from '@private-api/config';
import { runCdkApp } from '@private-api/compliance';
import { writeConsumerKits } from './consumerKit';

const repositoryRoot = resolve(__dirname, '../../../..');

/**
 * Writes the consumer kit of every self-managed consumer of every environment:
 * `tsx apps/consumer/src/kit/main.ts [--config deploy.config.ts] [--out dist/consumer-kits]`
 * (`nx run consumer:kit`). Relative paths are taken from the current directory.
 */
void runCdkApp(async () => {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: false,
  });
  const configPath = values.config !== undefined ? resolve(values.config) : resolve(repositoryRoot, 'deploy.config.ts');
  const outDir = values.out !== undefined ? resolve(values.out) : resolve(repositoryRoot, 'dist/consumer-kits');
  const config = await loadDeploymentConfig(configPath);
  const kits = writeConsumerKits(config, outDir);
  if (kits.length === 0) {
    process.stdout.write(`No self-managed consumer in ${configPath}: no consumer kit written.\n`);
    return;
  }
  for (const kit of kits) {
    process.stdout.write(`Wrote the consumer kit of ${kit.environment}/${kit.consumer} to ${relative(process.cwd(), resolve(outDir, kit.environment, kit.consumer)) || '.'}\n`);
  }
});
