import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { deferred, parseRawResponse, startApi, TASKS_JSON } from './helpers';

interface RawClient {
  readonly socket: Socket;
  /** Everything received, once the server closes the connection. */
  readonly closed: Promise<string>;
  /** Everything received so far. */
  received(): string;
}

async function openClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((done) => socket.on('close', () => done(Buffer.concat(chunks).toString('utf8'))));
  await new Promise<void>((done) => socket.once('connect', () => done()));
  return { socket, closed, received: () => Buffer.concat(chunks).toString('utf8') };
}

function write(socket: Socket, data: string): Promise<void> {
  return new Promise((done, fail) => socket.write(data, (err) => (err ? fail(err) : done())));
}

/** Resolves with the connect error code (e.g. ECONNREFUSED), or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done('connected');
    });
    socket.once('error', (err: Error & { code?: string }) => done(err.code ?? err.message));
  });
}

describe('graceful shutdown', () => {
  it('GIVEN a request in flight WHEN close() is called THEN new connections are refused, the request completes with Connection: close, and close() resolves', async () => {
    // GIVEN a keep-alive request held in flight by the test seam
    const started = deferred();
    const release = deferred();
    const running = await startApi({
      beforeRespond: () => {
        started.resolve();
        return release.promise;
      },
    });
    const client = await openClient(running.port);
    await write(client.socket, 'GET /api/tasks HTTP/1.1\r\nHost: x\r\n\r\n');
    await started.promise;

    // WHEN shutdown starts
    let settled = false;
    const closing = running.api.close();
    void closing.then(() => (settled = true));

    // THEN new connections are refused while the request is still in flight
    expect(await tryConnect(running.port)).toBe('ECONNREFUSED');
    expect(running.api.draining).toBe(true);
    expect(settled).toBe(false);
    expect(client.received()).toBe('');

    // AND once the handler finishes, the client gets its 200, told to close the connection
    release.resolve();
    const response = parseRawResponse(await client.closed);
    expect(response.status).toBe(200);
    expect(response.headers['connection']).toBe('close');
    expect(response.body).toBe(TASKS_JSON);

    // AND close() resolves as a graceful shutdown
    await expect(closing).resolves.toMatchObject({ forced: false });
    expect(running.logs.map((line) => line['msg'])).toEqual(expect.arrayContaining(['draining', 'server closed']));
    expect(running.logs.find((line) => line['msg'] === 'server closed')).toMatchObject({ level: 'info', forced: false });
  });

  it('GIVEN a client still sending its headers WHEN close() is called THEN that request is still served', async () => {
    // GIVEN half a request on the wire (the alternative to the test seam: a slow client). It is
    // pipelined behind a complete one, so once that one is answered the server has provably
    // started parsing the second (a connection with nothing parsed yet counts as idle).
    const running = await startApi();
    const client = await openClient(running.port);
    await write(client.socket, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/task/1 HTTP/1.1\r\nHost: x\r\n');
    await expect.poll(() => client.received()).toContain('{"status":"ok"}');

    // WHEN shutdown starts and the client then finishes its request
    const closing = running.api.close();
    await write(client.socket, '\r\n');

    // THEN it gets its answer with Connection: close, and close() resolves gracefully
    const raw = await client.closed;
    const response = parseRawResponse(raw.slice(raw.lastIndexOf('HTTP/1.1 ')));
    expect(response.status).toBe(200);
    expect(response.headers['connection']).toBe('close');
    expect(response.body).toBe('{"id":1,"name":"task1","description":"This is task 1"}');
    await expect(closing).resolves.toMatchObject({ forced: false });
  });

  it('GIVEN an idle keep-alive connection WHEN close() is called THEN it is closed at once, not after the keep-alive timeout', async () => {
    // GIVEN a connection kept alive after its response (shutdown timeout far above the test timeout)
    const running = await startApi({ config: { shutdownTimeoutMs: 120_000 } });
    const client = await openClient(running.port);
    await write(client.socket, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(() => client.received()).toContain('{"status":"ok"}');
    expect(parseRawResponse(client.received()).headers['connection']).toBe('keep-alive');

    // WHEN shutdown starts THEN the server closes the idle connection and close() resolves gracefully
    await expect(running.api.close()).resolves.toMatchObject({ forced: false });
    await client.closed;
  });

  it('GIVEN a request that outlives SHUTDOWN_TIMEOUT_MS WHEN close() is called THEN its connection is cut and close() reports forced', async () => {
    // GIVEN a request that never finishes on its own
    const started = deferred();
    const release = deferred();
    const running = await startApi({
      config: { shutdownTimeoutMs: 300 },
      beforeRespond: () => {
        started.resolve();
        return release.promise;
      },
    });
    const client = await openClient(running.port);
    await write(client.socket, 'GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Request-Id: stuck-1\r\n\r\n');
    await started.promise;

    // WHEN shutdown runs past its timeout
    const result = await running.api.close();

    // THEN it was forced, the connection was cut without a response, and this was logged as a warning
    expect(result.forced).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(await client.closed).toBe('');
    expect(running.logs.find((line) => line['msg'] === 'server closed')).toMatchObject({ level: 'warn', forced: true });

    // AND the handler finishing late does not throw
    release.resolve();
    await expect.poll(() => running.logs.some((line) => line['msg'] === 'request aborted' && line['requestId'] === 'stuck-1')).toBe(true);
  });

  it('GIVEN close() called twice THEN both calls share one shutdown', async () => {
    const running = await startApi();
    const first = running.api.close();
    expect(running.api.close()).toBe(first);
    await expect(first).resolves.toMatchObject({ forced: false });
  });
});
