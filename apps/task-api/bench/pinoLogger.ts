import pino, { type DestinationStream } from 'pino';
import type { AccessLogEntry, LogFields, Logger, LogLevel } from '../src/logger';

/**
 * The {@link Logger} interface on pino, for bench/logger.ts: the same fields per line as
 * src/logger.ts (`time` as ISO 8601, `level` as its name, `msg`, then the fields; no pid or
 * hostname). pino orders them its own way (`level`, `time`, the fields, `msg` last) and serialises
 * `err` with its own error serializer; the access line carries the same fields and values.
 */
export interface PinoLoggerOptions {
  readonly level?: LogLevel;
  /**
   * Default: an asynchronous sonic-boom on fd 1 that buffers 4 KB before a write, pino's fastest
   * setting here (its default, `minLength` 0, and `sync: true` cost 5–10 % more CPU per request).
   */
  readonly destination?: DestinationStream;
}

/** The same cached clock as src/logger.ts, so both loggers pay the same for `time`. */
function cachedIsoClock(): () => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return () => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
}

export function createPinoLogger(options: PinoLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const isoTime = cachedIsoClock();
  const log = pino(
    {
      level,
      base: null,
      timestamp: () => `,"time":"${isoTime()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const flushable = destination as DestinationStream & { flushSync?: () => void };
  return {
    level,
    isLevelEnabled: (candidate) => log.isLevelEnabled(candidate),
    debug: (msg: string, fields?: LogFields) => log.debug(fields ?? {}, msg),
    info: (msg: string, fields?: LogFields) => log.info(fields ?? {}, msg),
    warn: (msg: string, fields?: LogFields) => log.warn(fields ?? {}, msg),
    error: (msg: string, fields?: LogFields) => log.error(fields ?? {}, msg),
    access: (lineLevel: LogLevel, entry: AccessLogEntry) => log[lineLevel](entry, 'request'),
    flush: () => {
      try {
        flushable.flushSync?.();
      } catch {
        // Not open yet, or a write in flight: pino flushes an asynchronous destination on exit itself.
      }
    },
  };
}
