import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

/**
 * What bench.ts and logger.ts share: child servers on ephemeral loopback ports, a load generator
 * (wrk when it is installed, else autocannon), rounds, summaries. Every child is killed when the
 * bench exits, however it exits, so no server outlives a run.
 */

export const CONNECTIONS = 50;
export const appRoot = resolve(import.meta.dirname, '..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const children = new Set<ChildProcess>();

export function seconds(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    process.stderr.write(`bench: ${name}=${JSON.stringify(raw)} must be an integer from 1 to ${max}\n`);
    process.exit(1);
  }
  return value;
}

export function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Kills the children on exit and on SIGINT/SIGTERM, and bounds the whole run to `limitMs`. */
export function guardProcess(limitMs: number): void {
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killChildren();
      process.exit(130);
    });
  }
  setTimeout(() => {
    process.stderr.write('bench: timed out\n');
    killChildren();
    process.exit(1);
  }, limitMs).unref();
}

/** Runs `main`, then exits 0; on a failure prints it and exits 1 (children killed either way). */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
      killChildren();
      process.exit(1);
    },
  );
}

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

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

export interface Target {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts a TypeScript script (through the tsx loader, one process) and waits until it answers. */
export async function start(name: string, script: string, env: NodeJS.ProcessEnv): Promise<Target> {
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

export async function stop(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return;
  const exited = new Promise((done) => target.child.once('exit', done));
  target.child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (target.child.exitCode === null && target.child.signalCode === null) target.child.kill('SIGKILL');
  children.delete(target.child);
}

/** Both servers must send the same body and the same header set, or the comparison is meaningless. */
export async function checkSameResponse(a: Target, b: Target): Promise<void> {
  const [ra, rb] = await Promise.all([fetch(a.url), fetch(b.url)]);
  const [ba, bb] = await Promise.all([ra.text(), rb.text()]);
  if (ba !== bb) throw new Error(`${a.name} and ${b.name} send different bodies`);
  for (const header of ['content-type', 'content-length', 'x-content-type-options', 'cache-control', 'keep-alive']) {
    if (ra.headers.get(header) !== rb.headers.get(header)) throw new Error(`${a.name} and ${b.name} differ in ${header}`);
  }
  if (ra.headers.get('x-request-id') === null || rb.headers.get('x-request-id') === null) throw new Error('missing x-request-id');
}

// --- Load generation -----------------------------------------------------------------------

/**
 * `wrk` (C, one thread: the lighter client, so the server is what saturates) when it is on PATH,
 * else autocannon (in this process). BENCH_LOADER=wrk|autocannon forces one.
 */
export type Loader = 'wrk' | 'autocannon';

export function pickLoader(): Loader {
  const forced = process.env['BENCH_LOADER']?.trim();
  if (forced === 'wrk' || forced === 'autocannon') return forced;
  if (forced !== undefined && forced !== '') {
    process.stderr.write(`bench: BENCH_LOADER=${JSON.stringify(forced)} must be wrk or autocannon\n`);
    process.exit(1);
  }
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined ? 'wrk' : 'autocannon';
}

export interface Round {
  readonly requests: number;
  readonly seconds: number;
  /** Latency percentiles in ms (wrk: microsecond resolution; autocannon: whole ms). */
  readonly p50: number;
  readonly p99: number;
}

const WRK_REPORT = resolve(import.meta.dirname, 'wrk-report.lua');

function runWrk(url: string, duration: number): Promise<Round> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${duration}s`, '--timeout', '10s', '-s', WRK_REPORT, url];
  return new Promise((done, fail) => {
    execFile('wrk', args, { timeout: (duration + 30) * 1000 }, (err, stdout, stderr) => {
      if (err !== null) {
        fail(new Error(`wrk failed: ${err.message} ${stderr}`));
        return;
      }
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_WRK '));
      if (line === undefined) {
        fail(new Error(`wrk printed no report: ${stdout}`));
        return;
      }
      const r = JSON.parse(line.slice('BENCH_WRK '.length)) as Record<string, number>;
      const errors = (r['connectErrors'] ?? 0) + (r['readErrors'] ?? 0) + (r['writeErrors'] ?? 0) + (r['timeouts'] ?? 0);
      if (errors > 0 || (r['statusErrors'] ?? 0) > 0) {
        fail(new Error(`${url}: ${errors} socket errors/timeouts, ${r['statusErrors']} non-2xx responses`));
        return;
      }
      done({
        requests: r['requests'] ?? 0,
        seconds: (r['durationUs'] ?? 1) / 1e6,
        p50: (r['p50Us'] ?? 0) / 1000,
        p99: (r['p99Us'] ?? 0) / 1000,
      });
    });
  });
}

async function runAutocannon(url: string, duration: number): Promise<Round> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses`);
  }
  return { requests: result.requests.total, seconds: result.duration, p50: result.latency.p50, p99: result.latency.p99 };
}

export function hit(loader: Loader, target: Target, duration: number): Promise<Round> {
  return (loader === 'wrk' ? runWrk(target.url, duration) : runAutocannon(target.url, duration)).catch((err: unknown) => {
    throw new Error(`${target.name}: ${err instanceof Error ? err.message : String(err)}`);
  });
}

/**
 * Warms every target up, then loads one at a time for `rounds` rounds of `segment` seconds each,
 * rotating who goes first, so background load on a shared machine hits all of them alike.
 */
export async function measureRounds(loader: Loader, targets: readonly Target[], warmup: number, rounds: number, segment: number): Promise<Map<Target, Round[]>> {
  for (const target of targets) await hit(loader, target, warmup);
  const measured = new Map<Target, Round[]>(targets.map((target) => [target, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < targets.length; i += 1) {
      const target = targets[(round + i) % targets.length] as Target;
      measured.get(target)?.push(await hit(loader, target, segment));
    }
  }
  return measured;
}

// --- Summaries -----------------------------------------------------------------------------

export interface Measurement {
  readonly name: string;
  /** Requests per second over all rounds. */
  readonly rps: number;
  /** Median of the rounds' p50 latency, ms. */
  readonly p50: number;
  /** Worst of the rounds' p99 latency, ms. */
  readonly p99: number;
  readonly requests: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function summarize(name: string, rounds: readonly Round[]): Measurement {
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const duration = rounds.reduce((sum, round) => sum + round.seconds, 0);
  return {
    name,
    rps: requests / duration,
    p50: median(rounds.map((round) => round.p50)),
    p99: Math.max(...rounds.map((round) => round.p99)),
    requests,
  };
}

/** The ratio of `rounds` to `bare` overall, and per round (each round against bare's same round). */
export function ratioTo(rounds: readonly Round[], bare: readonly Round[]): { overall: number; perRound: number[] } {
  const rate = (round: Round | undefined): number => (round === undefined ? 0 : round.requests / round.seconds);
  return {
    overall: summarize('', rounds).rps / summarize('', bare).rps,
    perRound: rounds.map((round, i) => rate(round) / rate(bare[i])),
  };
}

const ms = (value: number): string => value.toFixed(2).padStart(6);

export function row(m: Measurement): string {
  return `  ${m.name.padEnd(22)} ${m.rps.toFixed(0).padStart(8)} req/s   p50 ${ms(m.p50)} ms   p99 ${ms(m.p99)} ms   (${m.requests} requests)`;
}
