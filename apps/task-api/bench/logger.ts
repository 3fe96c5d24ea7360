import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { createLogger, type AccessLogEntry } from '../src/logger';
import {
  checkSameResponse,
  CONNECTIONS,
  guardProcess,
  killChildren,
  measureRounds,
  pickLoader,
  ratioTo,
  row,
  runMain,
  seconds,
  start,
  stop,
  summarize,
  type Round,
  type Target,
} from './harness';
import { createPinoLogger } from './pinoLogger';

/**
 * Which logger should write the access logs: the hand-written one (src/logger.ts) or pino?
 *
 * Starts the in-memory task API twice (bench/logger-server.ts: the real server, LOG_LEVEL=info so
 * one access line per request, stdout = /dev/null), once per logger, and bench/bare-server.ts,
 * checks they send the same response and that both loggers write the same access-line fields, then
 * loads one at a time exactly as bench.ts does (wrk if installed, else autocannon; 50 connections,
 * warm-up, rotating rounds). Prints req/s, p50, p99 and the ratio to bare for each logger.
 * `npx nx run task-api:bench:logger`; BENCH_DURATION_S / BENCH_WARMUP_S as for bench.ts.
 */
const DURATION_S = seconds('BENCH_DURATION_S', 10, 120);
const WARMUP_S = seconds('BENCH_WARMUP_S', 2, 30);
guardProcess((3 * (WARMUP_S + DURATION_S) + 90) * 1000);

const pinoVersion = (createRequire(import.meta.url)('pino/package.json') as { version: string }).version;

/** Formats one access entry with both loggers; they must agree on every field but the clock. */
function checkSameAccessFields(): string[] {
  const entry: AccessLogEntry = { method: 'GET', path: '/api/task/2', status: 200, durationMs: 0.071, requestId: '6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b' };
  let hand = '';
  createLogger({ write: (chunk) => void (hand += chunk), buffered: false }).access('info', entry);
  let viaPino = '';
  createPinoLogger({ destination: { write: (chunk: string) => void (viaPino += chunk) } }).access('info', entry);
  const [a, b] = [hand, viaPino].map((line) => JSON.parse(line) as Record<string, unknown>);
  // Same keys and values (in any order); `time` only has to be an ISO timestamp in both.
  const comparable = (line: Record<string, unknown> | undefined): string =>
    JSON.stringify(
      Object.keys(line ?? {})
        .sort()
        .map((key) => [key, key === 'time' ? /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(String(line?.[key])) : line?.[key]]),
    );
  if (comparable(a) !== comparable(b)) {
    throw new Error(`the loggers write different access lines:\n  ${hand.trim()}\n  ${viaPino.trim()}`);
  }
  return Object.keys(a ?? {});
}

async function main(): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const rounds = Math.min(5, DURATION_S);
  const segment = Math.max(1, Math.round(DURATION_S / rounds));
  const loader = pickLoader();
  out(
    `task-api logger bench: GET /api/tasks in memory, LOG_LEVEL=info (one access line per request, stdout = /dev/null), ${loader}, ` +
      `${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${rounds} x ${segment} s measured per server (rotating rounds), ` +
      `node ${process.version}, load average ${(loadavg()[0] ?? 0).toFixed(2)}`,
  );
  out(`  access line fields (both loggers): ${checkSameAccessFields().join(', ')}`);

  try {
    const hand = await start('hand-written logger', 'bench/logger-server.ts', { LOG_LEVEL: 'info', BENCH_LOGGER: 'hand' });
    const viaPino = await start(`pino ${pinoVersion}`, 'bench/logger-server.ts', { LOG_LEVEL: 'info', BENCH_LOGGER: 'pino' });
    const bare = await start('bare node:http', 'bench/bare-server.ts', {});
    await checkSameResponse(hand, bare);
    await checkSameResponse(viaPino, bare);

    const targets = [bare, hand, viaPino];
    const measured = await measureRounds(loader, targets, WARMUP_S, rounds, segment);
    await Promise.all(targets.map(stop));

    const roundsOf = (target: Target): Round[] => measured.get(target) ?? [];
    const [bareResult, handResult, pinoResult] = targets.map((target) => summarize(target.name, roundsOf(target)));
    if (bareResult === undefined || handResult === undefined || pinoResult === undefined) throw new Error('no measurement');
    const handRatio = ratioTo(roundsOf(hand), roundsOf(bare));
    const pinoRatio = ratioTo(roundsOf(viaPino), roundsOf(bare));
    const perRound = (ratio: { perRound: number[] }): string => ratio.perRound.map((r) => r.toFixed(2)).join(' ');
    const faster = handResult.rps >= pinoResult.rps ? handResult : pinoResult;
    const slower = faster === handResult ? pinoResult : handResult;
    out('');
    out(row(handResult));
    out(row(pinoResult));
    out(row(bareResult));
    out('');
    out(`  ratio hand-written / bare   ${handRatio.overall.toFixed(3)}   per round: ${perRound(handRatio)}`);
    out(`  ratio pino / bare           ${pinoRatio.overall.toFixed(3)}   per round: ${perRound(pinoRatio)}`);
    out(`  faster: ${faster.name} (${((faster.rps / slower.rps - 1) * 100).toFixed(1)} % more req/s than ${slower.name})`);
    out(
      `BENCH_JSON ${JSON.stringify({ loader, hand: handResult, pino: { ...pinoResult, version: pinoVersion }, bare: bareResult, handRatio: Number(handRatio.overall.toFixed(3)), pinoRatio: Number(pinoRatio.overall.toFixed(3)) })}`,
    );
  } finally {
    killChildren();
  }
}

runMain(main);
