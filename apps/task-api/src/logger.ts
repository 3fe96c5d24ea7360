import { LOG_LEVELS, type LogLevel } from './config';

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Structured logger: one JSON object per line, `time`, `level`, `msg`, then the fields. */
export interface Logger {
  isEnabled(level: LogLevel): boolean;
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

/** A sink for whole lines (stdout in production, an array in tests). */
export type LineWriter = (line: string) => void;

export function createLogger(level: LogLevel, write: LineWriter = (line) => process.stdout.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const isEnabled = (candidate: LogLevel): boolean => LOG_LEVELS.indexOf(candidate) >= threshold;
  return {
    isEnabled,
    log(candidate, msg, fields = {}) {
      if (!isEnabled(candidate)) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level: candidate, msg, ...fields })}\n`);
    },
  };
}
