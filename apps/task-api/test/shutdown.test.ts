import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRawResponse, startApi } from './helpers';

const taskApiRoot = resolve(import.meta.dirname, '..');
const tsx = resolve(taskApiRoot, '../../node_modules/.bin/tsx');

/** Opens a connection and sends a request without its final blank line: it stays in flight. */
function openInFlightRequest(port: number) {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  const closed = new Promise<string>((done) => socket.on('close', () => done(Buffer.concat(chunks).toString())));
  const connected = new Promise<void>((done) => socket.on('connect', () => done()));
  return {
    connected: connected.then(() => new Promise<void>((done) => socket.write('GET /api/task/1 HTTP/1.1\r\nHost: x\r\n', () => done()))),
    finish: () => socket.write('\r\n'),
    closed,
  };
}

describe('graceful shutdown', () => {
  it('lets an in-flight request finish with Connection: close, refuses new connections, then resolves', async () => {
    // GIVEN a request whose headers are still arriving
    const running = await startApi();
    const inFlight = openInFlightRequest(running.port);
    await inFlight.connected;
    await new Promise((done) => setTimeout(done, 50));

    // WHEN shutdown starts
    const shutdown = running.api.shutdown();
    let settled = false;
    void shutdown.then(() => (settled = true));

    // THEN new connections are refused
    await expect(fetch(`${running.baseUrl}/api/tasks`)).rejects.toThrow();
    expect(settled).toBe(false);

    // AND the in-flight request still completes, telling the client to close
    inFlight.finish();
    const response = parseRawResponse(await inFlight.closed);
    expect(response.status).toBe(200);
    expect(response.headers['connection']).toBe('close');
    expect(JSON.parse(response.body)).toEqual({ id: 1, name: 'task1', description: 'This is task 1' });

    // AND shutdown completes gracefully once it is done
    await expect(shutdown).resolves.toBe('graceful');
    expect(running.logs.map((entry) => entry['msg'])).toEqual(expect.arrayContaining(['shutting down', 'shutdown complete']));
  });

  it('closes idle keep-alive connections at once', async () => {
    const running = await startApi({ SHUTDOWN_TIMEOUT_MS: '30000' });
    const response = await fetch(`${running.baseUrl}/api/tasks`);
    await response.text();
    const started = Date.now();
    await expect(running.api.shutdown()).resolves.toBe('graceful');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('cuts connections still busy after SHUTDOWN_TIMEOUT_MS', async () => {
    const running = await startApi({ SHUTDOWN_TIMEOUT_MS: '200' });
    const stuck = openInFlightRequest(running.port);
    await stuck.connected;
    await new Promise((done) => setTimeout(done, 50));
    await expect(running.api.shutdown()).resolves.toBe('forced');
    expect(await stuck.closed).toBe('');
    expect(running.logs.map((entry) => entry['msg'])).toContain('shutdown timed out, closing remaining connections');
  });

  it('exits 0 on SIGTERM when run as a process', async () => {
    // GIVEN the real entry point listening on a free port
    const child = spawn(tsx, ['src/main.ts'], {
      cwd: taskApiRoot,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await expect.poll(() => stdout, { timeout: 20_000, interval: 100 }).toContain('"msg":"listening"');
    const port = (JSON.parse(stdout.split('\n')[0] ?? '{}') as { port: number }).port;
    expect((await fetch(`http://127.0.0.1:${port}/api/task/2`)).status).toBe(200);

    // WHEN ECS stops the task
    child.kill('SIGTERM');

    // THEN it drains and exits 0, logging JSON lines
    expect(await exited).toBe(0);
    const messages = stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['signal received', 'shutting down', 'shutdown complete']));
  });

  it('exits 1 with one line naming a bad environment variable', async () => {
    const child = spawn(tsx, ['src/main.ts'], {
      cwd: taskApiRoot,
      env: { ...process.env, PORT: 'http' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', (exitCode) => done(exitCode)));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('Invalid environment variable PORT="http": expected a whole number between 0 and 65535');
  });
});
