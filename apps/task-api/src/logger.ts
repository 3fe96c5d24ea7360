/** Severity levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Readonly<Record<string, unknown>>;

/** One access log line (`msg: "request"`). */
export interface AccessLogEntry {
  readonly method: string | undefined;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly requestId: string;
}

export interface Logger {
  readonly level: LogLevel;
  isLevelEnabled(level: LogLevel): boolean;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** The per-request line; same output as `logger[level]('request', entry)`, built faster. */
  access(level: LogLevel, entry: AccessLogEntry): void;
  /** Writes every buffered line now. Call before `process.exit`. */
  flush(): void;
}

export interface LoggerOptions {
  /** Lowest level written; default `info`. */
  readonly level?: LogLevel;
  /** Receives one or more complete `\n`-terminated JSON lines; default `process.stdout.write`. */
  readonly write?: (chunk: string) => void;
  /** Clock, injectable for tests. */
  readonly now?: () => Date;
  /**
   * Buffer lines and write them once per event-loop turn (default true). Under load this turns
   * one write(2) per request into one per batch; `flush()` and the size cap keep it bounded.
   */
  readonly buffered?: boolean;
}

/** A switch, not a lookup table: the hot path then has no keyed property load. */
function severity(level: LogLevel): number {
  switch (level) {
    case 'debug':
      return 10;
    case 'info':
      return 20;
    case 'warn':
      return 30;
    case 'error':
      return 40;
  }
}
const MAX_BUFFERED_CHARS = 64 * 1024;

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Errors do not survive JSON.stringify (their fields are not enumerable); log what matters. */
function serializeError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const code = (err as Error & { code?: unknown }).code;
  if (code !== undefined) out['code'] = code;
  if (err.stack !== undefined) out['stack'] = err.stack;
  return out;
}

/** Replaces Error values by their serialised form; returns the input itself when there are none. */
function normalizeFields(fields: LogFields): LogFields {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value instanceof Error) {
      copy ??= { ...fields };
      copy[key] = serializeError(value);
    }
  }
  return copy ?? fields;
}

/** Printable ASCII without `"` and `\\`: such a string is its own JSON string body. */
const JSON_SAFE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function jsonString(value: string): string {
  return JSON_SAFE.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** `Date#toISOString` is the priciest part of a line; under load many lines share a millisecond. */
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

/** Below this, a number with at most 3 decimals is printed exactly as its thousandths (see below). */
const MAX_FAST_DURATION_MS = 1e9;

/**
 * `String(ms)` for a duration, the way JSON.stringify prints it, without the double-to-shortest-
 * decimal conversion when `ms` is a whole number of microseconds (what the server logs): then the
 * shortest decimal that reads back as `ms` is that number of thousandths with trailing zeros
 * dropped, because doubles below 1e9 are spaced far closer than 0.001. Anything else (more
 * decimals, negative, huge, not finite) goes through `String` and NaN/Infinity become null, as in JSON.
 */
function jsonDuration(ms: number): string {
  const micros = Math.round(ms * 1000);
  if (micros / 1000 !== ms || !(ms >= 0 && ms < MAX_FAST_DURATION_MS)) return Number.isFinite(ms) ? String(ms) : 'null';
  const whole = Math.floor(micros / 1000);
  const fraction = micros - whole * 1000;
  if (fraction === 0) return String(whole);
  if (fraction % 100 === 0) return `${whole}.${fraction / 100}`;
  if (fraction % 10 === 0) return `${whole}.${fraction < 100 ? '0' : ''}${fraction / 10}`;
  return `${whole}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
}

/**
 * A small structured logger: one JSON object per line (`time`, `level`, `msg`, then the fields).
 * Never throws: a value that cannot be serialised is replaced by a note, a failing sink is ignored.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const threshold = severity(level);
  const write = options.write ?? ((chunk: string) => void process.stdout.write(chunk));
  const now = options.now;
  const isoTime = now === undefined ? cachedIsoClock() : () => now().toISOString();
  const buffered = options.buffered ?? true;

  let pending = '';
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    try {
      write(chunk);
    } catch {
      // Logging must never take the service down (e.g. EPIPE on a closed stdout).
    }
  }

  function append(line: string): void {
    pending += line;
    if (!buffered || pending.length >= MAX_BUFFERED_CHARS) {
      flush();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }

  function emit(lineLevel: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (severity(lineLevel) < threshold) return;
    // One JSON.stringify of the caller's fields, no merged object; the fixed keys come first so
    // every line starts with time, level, msg.
    const head = `{"time":"${isoTime()}","level":"${lineLevel}","msg":${JSON.stringify(msg)}`;
    let rest: string;
    try {
      rest = fields === undefined ? '{}' : JSON.stringify(normalizeFields(fields));
    } catch {
      rest = '{"logError":"fields not serialisable"}';
    }
    append(rest.length > 2 ? `${head},${rest.slice(1)}\n` : `${head}}\n`);
  }

  // The access line's fixed start, `{"time":"…","level":"…","msg":"request","method":`, rebuilt
  // only when the millisecond or the level changes: under load, many lines share it.
  let headTime = '';
  let headLevel: LogLevel | undefined;
  let head = '';
  // Node's req.method is one of a few interned strings: remember the last one's JSON.
  let lastMethod: string | undefined;
  let lastMethodJson = 'null';

  /** The hot path: one line per request, assembled without an intermediate object. */
  function access(lineLevel: LogLevel, entry: AccessLogEntry): void {
    if (severity(lineLevel) < threshold) return;
    const time = isoTime();
    if (time !== headTime || lineLevel !== headLevel) {
      headTime = time;
      headLevel = lineLevel;
      head = `{"time":"${time}","level":"${lineLevel}","msg":"request","method":`;
    }
    const method = entry.method;
    if (method !== lastMethod) {
      lastMethod = method;
      lastMethodJson = method === undefined ? 'null' : jsonString(method);
    }
    append(
      head +
        lastMethodJson +
        ',"path":' +
        jsonString(entry.path) +
        ',"status":' +
        entry.status +
        ',"durationMs":' +
        jsonDuration(entry.durationMs) +
        ',"requestId":' +
        jsonString(entry.requestId) +
        '}\n',
    );
  }

  return {
    level,
    isLevelEnabled: (candidate) => severity(candidate) >= threshold,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    access,
    flush,
  };
}
