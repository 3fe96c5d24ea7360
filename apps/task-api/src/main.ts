import { ConfigError, readConfig, type TaskApiConfig } from './config';
import { createTaskApiServer } from './createTaskApiServer';
import { createLogger } from './logger';

/** Entry point: `node dist/main.js` in the container, `nx run task-api:serve` locally. */
async function main(): Promise<void> {
  let config: TaskApiConfig;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const api = createTaskApiServer(config, logger);
  try {
    await api.listen();
  } catch (error) {
    logger.log('error', 'could not listen', { host: config.host, port: config.port, error: String(error) });
    process.exit(1);
  }
  // ECS stops a task with SIGTERM, then SIGKILL after stopTimeout: drain before that.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log('info', 'signal received', { signal });
      void api.shutdown().then((outcome) => process.exit(outcome === 'graceful' ? 0 : 1));
    });
  }
}

void main();
