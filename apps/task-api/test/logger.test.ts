import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';

const fixedNow = (): Date => new Date('2026-01-02T03:04:05.678Z');

describe('createLogger', () => {
  it('GIVEN a line THEN it is one JSON object with time, level, msg and the fields, newline-terminated', () => {
    const chunks: string[] = [];
    const logger = createLogger({ level: 'info', write: (chunk) => chunks.push(chunk), now: fixedNow, buffered: false });
    logger.info('hello', { requestId: 'r1', status: 200 });
    expect(chunks).toEqual(['{"time":"2026-01-02T03:04:05.678Z","level":"info","msg":"hello","requestId":"r1","status":200}\n']);
  });

  it('GIVEN level warn THEN debug and info are dropped', () => {
    const chunks: string[] = [];
    const logger = createLogger({ level: 'warn', write: (chunk) => chunks.push(chunk), buffered: false });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(chunks.map((chunk) => (JSON.parse(chunk) as { msg: string }).msg)).toEqual(['w', 'e']);
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(logger.isLevelEnabled('error')).toBe(true);
  });

  it('GIVEN buffering THEN lines of one event-loop turn are written together, and flush() writes at once', async () => {
    const chunks: string[] = [];
    const logger = createLogger({ write: (chunk) => chunks.push(chunk) });
    logger.info('a');
    logger.info('b');
    expect(chunks).toEqual([]);
    await new Promise((done) => setImmediate(done));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.split('\n')).toHaveLength(3);
    logger.info('c');
    logger.flush();
    expect(chunks).toHaveLength(2);
  });

  it('GIVEN an Error field THEN name, message and stack are logged', () => {
    const chunks: string[] = [];
    const logger = createLogger({ write: (chunk) => chunks.push(chunk), buffered: false });
    const err = Object.assign(new TypeError('bad'), { code: 'E_BAD' });
    logger.error('failed', { err });
    expect(JSON.parse(chunks[0] ?? '')).toMatchObject({ err: { name: 'TypeError', message: 'bad', code: 'E_BAD', stack: expect.stringContaining('TypeError: bad') } });
  });

  it('GIVEN unserialisable fields or a failing sink THEN it does not throw', () => {
    const chunks: string[] = [];
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    const logger = createLogger({ write: (chunk) => chunks.push(chunk), buffered: false });
    logger.info('odd', { circular, big: 1n });
    expect(JSON.parse(chunks[0] ?? '')).toMatchObject({ msg: 'odd', logError: 'fields not serialisable' });
    const broken = createLogger({ write: () => { throw new Error('EPIPE'); }, buffered: false });
    expect(() => broken.error('x')).not.toThrow();
  });

  it.each(['/api/tasks', '/a"b', '/back\\slash', '/ü/漢字', '/ctl\u0001\u007f', `/long${'x'.repeat(300)}…`])(
    'GIVEN the access fast path and the path %j THEN the line is exactly what the generic path writes',
    (path) => {
      const fast: string[] = [];
      const generic: string[] = [];
      const entry = { method: 'GET', path, status: 404, durationMs: 0.125, requestId: 'abc-1' };
      createLogger({ write: (chunk) => fast.push(chunk), now: fixedNow, buffered: false }).access('info', entry);
      createLogger({ write: (chunk) => generic.push(chunk), now: fixedNow, buffered: false }).info('request', entry);
      expect(fast).toEqual(generic);
      expect(JSON.parse(fast[0] ?? '')).toEqual({ time: '2026-01-02T03:04:05.678Z', level: 'info', msg: 'request', ...entry });
    },
  );

  it('GIVEN a sequence of access lines whose clock, level, method and duration change THEN each is exactly what the generic path writes', () => {
    // The fast path caches the line's start per millisecond and level, and the last method's JSON.
    const clock = [0, 0, 1, 1, 1, 7, 7, 1_000_000];
    const durations = [0, 0.071, 1, 1.2, 1.25, 0.005, 0.05, 12.345, 999_999_999.999, 1e9, 0.0001, 1e-7, -0, -1.5, 0.1 + 0.2, 2 ** 53, Number.NaN, Infinity];
    const methods = ['GET', 'GET', 'HEAD', undefined, 'GET', 'M-SEARCH', 'GE"T', 'GET'];
    const levels = ['info', 'info', 'debug', 'error', 'error', 'info', 'warn', 'info'] as const;
    const entries = durations.map((durationMs, i) => ({
      level: levels[i % levels.length] ?? 'info',
      now: new Date(Date.UTC(2026, 0, 2) + (clock[i % clock.length] ?? 0)),
      entry: { method: methods[i % methods.length], path: `/p${i}`, status: 200 + i, durationMs, requestId: `r${i}` },
    }));
    let now = new Date(0);
    const fast: string[] = [];
    const generic: string[] = [];
    const fastLogger = createLogger({ level: 'debug', write: (chunk) => fast.push(chunk), now: () => now, buffered: false });
    const genericLogger = createLogger({ level: 'debug', write: (chunk) => generic.push(chunk), now: () => now, buffered: false });
    for (const { level, now: at, entry } of entries) {
      now = at;
      fastLogger.access(level, entry);
      genericLogger[level]('request', entry.method === undefined ? { ...entry, method: null, durationMs: Number.isFinite(entry.durationMs) ? entry.durationMs : null } : entry);
    }
    expect(fast).toEqual(generic);
    expect(fast.map((line) => (JSON.parse(line) as { durationMs: unknown }).durationMs)).toEqual(durations.map((d) => JSON.parse(JSON.stringify(d)) as unknown));
  });

  it('GIVEN every whole number of microseconds below 50 ms and random ones up to 11 days THEN durationMs is printed as JSON.stringify prints it', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (chunk) => lines.push(chunk), now: fixedNow, buffered: false });
    const durations = Array.from({ length: 50_000 }, (_, micros) => micros / 1000);
    for (let i = 0; i < 10_000; i += 1) durations.push(Math.round(Math.random() * 1e12) / 1000, Math.random() * 1000);
    for (const durationMs of durations) logger.access('info', { method: 'GET', path: '/', status: 200, durationMs, requestId: 'r' });
    const printed = lines.map((line) => /"durationMs":([^,]*),/.exec(line)?.[1]);
    const mismatches = durations.filter((d, i) => printed[i] !== JSON.stringify(d));
    expect(mismatches).toEqual([]);
  });

  it('GIVEN the default clock THEN time is the current ISO timestamp', () => {
    const chunks: string[] = [];
    const before = Date.now();
    createLogger({ write: (chunk) => chunks.push(chunk), buffered: false }).access('info', {
      method: undefined,
      path: '/',
      status: 400,
      durationMs: Number.NaN,
      requestId: 'r',
    });
    const line = JSON.parse(chunks[0] ?? '') as { time: string; method: unknown; durationMs: unknown };
    expect(Date.parse(line.time)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(line.time)).toBeLessThanOrEqual(Date.now());
    expect(line).toMatchObject({ method: null, durationMs: null });
  });
});
