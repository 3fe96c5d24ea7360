import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createTaskApiServer } from '../src/server';
import { createPinoLogger } from './pinoLogger';

/**
 * The in-memory task API with the logger named by BENCH_LOGGER (`hand`: src/logger.ts, as
 * src/main.ts uses it; `pino`: bench/pinoLogger.ts), for bench/logger.ts. Everything else is the
 * real server (src/server.ts) with the configuration from the environment (LOG_LEVEL, PORT, HOST).
 */
const which = process.env['BENCH_LOGGER'];
if (which !== 'hand' && which !== 'pino') {
  process.stderr.write(`logger-server: BENCH_LOGGER must be hand or pino, not ${JSON.stringify(which)}\n`);
  process.exit(1);
}
const config = loadConfig(process.env);
const logger = which === 'pino' ? createPinoLogger({ level: config.logLevel }) : createLogger({ level: config.logLevel });
const service = createTaskApiServer(config, logger);
process.stdout.on('error', () => undefined);

service.listen().then(
  () => logger.flush(),
  (err: unknown) => {
    process.stderr.write(`logger-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
const stop = (): void => {
  void service.close().then(({ forced }) => {
    logger.flush();
    process.exit(forced ? 1 : 0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
