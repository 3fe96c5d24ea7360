import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { createTaskApiServer } from './server';
import type { TaskStore } from './taskStore';

/**
 * Entry point: configuration from the environment, JSON logs on stdout, graceful shutdown on
 * SIGTERM (ECS stop) and SIGINT (Ctrl-C). Exit codes: 0 clean shutdown, 1 bad configuration,
 * failed start, forced shutdown or crash.
 */
function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`task-api: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ level: config.logLevel });

  // A closed stdout (EPIPE) must not crash the service; the logs are lost either way.
  process.stdout.on('error', () => undefined);

  const crash = (msg: string, err: unknown): void => {
    logger.error(msg, { err });
    logger.flush();
    process.exit(1);
  };
  process.on('uncaughtException', (err) => crash('uncaught exception', err));
  process.on('unhandledRejection', (reason) => crash('unhandled rejection', reason));

  // `pg` is loaded only with a database: the in-memory service needs no npm package at all.
  let store: (TaskStore & { start(): Promise<boolean> }) | undefined;
  if (config.database !== undefined) {
    const { createPostgresTaskStore } = await import('./postgresTaskStore.js');
    store = createPostgresTaskStore(config.database, logger);
  }
  const service = createTaskApiServer(config, logger, store === undefined ? {} : { store });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal during shutdown, exiting now', { signal });
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info('shutdown started', { signal });
    void service
      .close()
      .then(async (result) => {
        // In-flight requests are done (or cut): now the pool can go.
        await store?.close().catch((err: unknown) => logger.warn('database pool close failed', { err }));
        return result;
      })
      .then(({ forced, durationMs }) => {
        logger[forced ? 'warn' : 'info']('shutdown complete', { signal, forced, durationMs });
        logger.flush();
        process.exit(forced ? 1 : 0);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  logger.info('starting', {
    service: 'task-api',
    pid: process.pid,
    node: process.version,
    host: config.host,
    port: config.port,
    logLevel: config.logLevel,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    tasks: config.database === undefined ? 'memory' : 'postgres',
    ...(config.database === undefined
      ? {}
      : {
          database: {
            host: config.database.host,
            port: config.database.port,
            name: config.database.database,
            user: config.database.user,
            ssl: config.database.sslMode,
            caFile: config.database.caFile,
            poolMax: config.database.poolMax,
            connectTimeoutMs: config.database.connectTimeoutMs,
            queryTimeoutMs: config.database.queryTimeoutMs,
          },
        }),
  });
  // Listen first, then migrate: /healthz answers at once (the container health check), /readyz
  // and the task routes answer 503 until the migrations are done.
  service.listen().then(
    () => {
      logger.flush();
      void store?.start().then(() => logger.flush());
    },
    (err: unknown) => crash('failed to start', err),
  );
}

void main();
