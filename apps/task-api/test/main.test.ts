import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { appRoot, freePort, tsxLoader, type LogLine } from './helpers';
import { createTestDatabase } from './postgres/testDatabase';

type Child = ChildProcessByStdio<null, Readable, Readable>;

interface Spawned {
  readonly child: Child;
  stdout(): string;
  stderr(): string;
  /** Exit code (or the signal name if killed by one). */
  readonly exited: Promise<number | string>;
}

const children: Child[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

/**
 * Runs a TypeScript entry point of the app in one node process with tsx as its loader (as the
 * image runs node on the entry point, signals reach the service itself). Not the tsx CLI: it
 * runs the entry in a child process and relays signals only if the child confirms them within
 * 30 ms, otherwise it SIGKILLs the child and exits 143 — a race a loaded CI machine loses.
 */
function run(script: string, env: NodeJS.ProcessEnv): Spawned {
  const baseEnv = { ...process.env };
  for (const name of Object.keys(baseEnv)) {
    if (/^(PORT|HOST|LOG_LEVEL|SHUTDOWN_TIMEOUT_MS|KEEP_ALIVE_TIMEOUT_MS|DB_[A-Z_]+|PG[A-Z]+)$/.test(name)) delete baseEnv[name];
  }
  const child = spawn(process.execPath, ['--import', tsxLoader, script], {
    cwd: appRoot,
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string>((done) => child.on('close', (code, signal) => done(code ?? signal ?? 'unknown')));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function jsonLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

async function startMain(env: NodeJS.ProcessEnv = {}): Promise<{ service: Spawned; port: number }> {
  const port = await freePort();
  const service = run('src/main.ts', { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  await expect.poll(() => service.stdout(), { timeout: 30_000, interval: 50 }).toContain('"msg":"listening"');
  return { service, port };
}

describe('src/main.ts as a process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'GIVEN the running service WHEN it receives %s THEN it drains, logs JSON lines and exits 0',
    async (signal) => {
      // GIVEN the real entry point serving on a free port
      const { service, port } = await startMain();
      const response = await fetch(`http://127.0.0.1:${port}/api/task/2`, { headers: { 'x-request-id': 'main-1' } });
      expect(await response.text()).toBe('{"id":2,"name":"task2","description":"This is task 2"}');

      // WHEN it is told to stop
      service.child.kill(signal);

      // THEN it exits 0, having written only JSON lines: startup, the access log and the shutdown
      expect(await service.exited).toBe(0);
      const lines = jsonLines(service.stdout());
      for (const line of lines) expect(line).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) });
      expect(lines.find((line) => line['msg'] === 'starting')).toMatchObject({ port, host: '127.0.0.1', logLevel: 'info' });
      expect(lines.find((line) => line['requestId'] === 'main-1')).toMatchObject({ msg: 'request', status: 200, path: '/api/task/2' });
      expect(lines.find((line) => line['msg'] === 'shutdown started')).toMatchObject({ level: 'info', signal });
      expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'shutdown complete', signal, forced: false });
      expect(service.stderr()).toBe('');
    },
  );

  it.each([
    ['PORT', 'http'],
    ['HOST', 'not a host'],
    ['LOG_LEVEL', 'loud'],
    ['SHUTDOWN_TIMEOUT_MS', '-5'],
    ['KEEP_ALIVE_TIMEOUT_MS', '1m'],
  ])('GIVEN %s=%j WHEN it starts THEN one line on stderr names it, and it exits 1', async (name, value) => {
    const service = run('src/main.ts', { [name]: value });
    expect(await service.exited).toBe(1);
    const stderr = service.stderr();
    expect(stderr).toMatch(new RegExp(`^task-api: configuration error: invalid ${name}=${JSON.stringify(value)}: must be [^\\n]+\\n$`));
    expect(stderr).not.toMatch(/\bat .+:\d+:\d+/);
    expect(service.stdout()).toBe('');
  });

  it('GIVEN DB_HOST without the secret WHEN it starts THEN one line on stderr names DB_PASSWORD, and it exits 1', async () => {
    const service = run('src/main.ts', { DB_HOST: '127.0.0.1', DB_NAME: 'tasks', DB_USER: 'task_api' });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toBe('task-api: configuration error: invalid DB_PASSWORD="": required with DB_HOST (ECS injects it from the database secret)\n');
  });

  it('GIVEN DB_* settings WHEN it starts, serves and gets SIGTERM THEN it migrates, serves from PostgreSQL, drains and closes the pool before exiting 0', async () => {
    // GIVEN the real entry point on an empty database, a slow client holding a request open
    const db = await createTestDatabase('main');
    try {
      const { service, port } = await startMain(db.env({ DB_POOL_MAX: '3' }));
      await expect.poll(() => service.stdout(), { timeout: 20_000 }).toContain('"msg":"database ready"');
      const response = await fetch(`http://127.0.0.1:${port}/api/tasks`);
      expect(await response.text()).toBe(
        '[{"id":1,"name":"task1","description":"This is task 1"},{"id":2,"name":"task2","description":"This is task 2"},{"id":3,"name":"task3","description":"This is task 3"}]',
      );
      const [open] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'task-api'", [db.name]);
      expect(open?.n).toBeGreaterThan(0);

      // WHEN it is told to stop
      service.child.kill('SIGTERM');

      // THEN it exits 0; the pool closed after the server drained and before the process ended
      expect(await service.exited).toBe(0);
      const messages = jsonLines(service.stdout()).map((line) => line['msg']);
      expect(messages).toEqual(expect.arrayContaining(['starting', 'listening', 'migration applied', 'database ready', 'database pool closed']));
      expect(messages.slice(messages.indexOf('shutdown started'))).toEqual(['shutdown started', 'draining', 'server closed', 'database pool closed', 'shutdown complete']);
      const starting = jsonLines(service.stdout()).find((line) => line['msg'] === 'starting');
      expect(starting).toMatchObject({ tasks: 'postgres', database: { name: db.name, ssl: 'disable', poolMax: 3 } });
      expect(service.stdout()).not.toContain(db.env()['DB_PASSWORD']);
      expect(service.stderr()).toBe('');
    } finally {
      await db.drop();
    }
  });

  it('GIVEN the port is taken WHEN it starts THEN it logs a JSON error and exits 1', async () => {
    const blocker = createNetServer();
    servers.push(blocker);
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as AddressInfo;
    const service = run('src/main.ts', { PORT: String(port), HOST: '127.0.0.1' });
    expect(await service.exited).toBe(1);
    expect(jsonLines(service.stdout()).at(-1)).toMatchObject({ level: 'error', msg: 'failed to start', err: { code: 'EADDRINUSE' } });
  });
});

describe('src/healthcheck.ts (container health check)', () => {
  async function httpServer(status: number | 'hang'): Promise<number> {
    const server = createHttpServer((_req, res) => {
      if (status === 'hang') return;
      res.writeHead(status).end();
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as AddressInfo).port;
  }

  it('GIVEN a healthy service THEN it exits 0', async () => {
    const { service, port } = await startMain();
    expect(await run('src/healthcheck.ts', { PORT: String(port) }).exited).toBe(0);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('GIVEN nothing listening THEN it exits 1', async () => {
    const check = run('src/healthcheck.ts', { PORT: String(await freePort()) });
    expect(await check.exited).toBe(1);
    expect(check.stderr()).toContain('ECONNREFUSED');
  });

  it('GIVEN a non-200 answer THEN it exits 1', async () => {
    const check = run('src/healthcheck.ts', { PORT: String(await httpServer(503)) });
    expect(await check.exited).toBe(1);
    expect(check.stderr()).toContain('unexpected status 503');
  });

  it('GIVEN no answer THEN it gives up after 2 s and exits 1', async () => {
    const check = run('src/healthcheck.ts', { PORT: String(await httpServer('hang')) });
    expect(await check.exited).toBe(1);
    expect(check.stderr()).toContain('no response within 2000 ms');
  });
});
