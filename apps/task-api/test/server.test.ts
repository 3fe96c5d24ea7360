import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresTaskStore } from '../src/postgresTaskStore';
import { parseRawResponse, rawRequest, startApi, TASKS_JSON, type RawResponse, type RunningApi } from './helpers';
import { createTestDatabase, startedStore, type TestDatabase } from './postgres/testDatabase';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JSON_TYPE = 'application/json; charset=utf-8';

/** The headers every response carries, whatever its status. */
function expectStandardHeaders(headers: Headers): void {
  expect(headers.get('content-type')).toBe(JSON_TYPE);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
  expect(headers.get('x-powered-by')).toBeNull();
  expect(headers.get('server')).toBeNull();
}

function expectStandardRawHeaders(response: RawResponse): void {
  expect(response.headers['content-type']).toBe(JSON_TYPE);
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['x-request-id']).toMatch(UUID);
  expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.body)));
  expect(response.headers['server']).toBeUndefined();
  expect(response.headers['x-powered-by']).toBeUndefined();
}

/**
 * The contract, byte for byte, whichever store holds the tasks: the built-in constants, or a
 * migrated PostgreSQL database (a real server, see test/postgres/globalSetup.ts).
 */
describe.each(['in memory', 'on PostgreSQL'] as const)('task API over real sockets, tasks %s', (backend) => {
  let running: RunningApi;
  let db: TestDatabase | undefined;
  let store: PostgresTaskStore | undefined;
  const get = (path: string, init?: RequestInit): Promise<Response> => fetch(`${running.baseUrl}${path}`, init);

  beforeAll(async () => {
    if (backend === 'on PostgreSQL') {
      db = await createTestDatabase('contract');
      store = await startedStore(db.config());
      running = await startApi({ store });
    } else {
      running = await startApi();
    }
  });

  afterAll(async () => {
    await running?.api.close();
    await store?.close();
    await db?.drop();
  });

  describe('contract', () => {
    it('GET /api/tasks returns exactly the three tasks', async () => {
      // GIVEN the running service WHEN the task list is requested
      const response = await get('/api/tasks');
      // THEN it is a 200 with the exact contract body
      expect(response.status).toBe(200);
      expectStandardHeaders(response.headers);
      expect(await response.text()).toBe(TASKS_JSON);
    });

    it.each([
      [1, '{"id":1,"name":"task1","description":"This is task 1"}'],
      [2, '{"id":2,"name":"task2","description":"This is task 2"}'],
      [3, '{"id":3,"name":"task3","description":"This is task 3"}'],
    ])('GET /api/task/%i returns exactly that task', async (id, body) => {
      const response = await get(`/api/task/${id}`);
      expect(response.status).toBe(200);
      expectStandardHeaders(response.headers);
      expect(response.headers.get('content-length')).toBe(String(body.length));
      expect(await response.text()).toBe(body);
    });

    it.each(['2147483648', '9007199254740991'])('404 for the valid id %s that no task has (beyond the id column too)', async (id) => {
      const response = await get(`/api/task/${id}`);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('{"error":{"code":"not_found","message":"Task not found"}}');
    });

    it('ignores the query string', async () => {
      const response = await get('/api/tasks?page=2&x=%zz');
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(TASKS_JSON);
    });

    it('accepts an absolute-form request target', async () => {
      const response = parseRawResponse(
        await rawRequest(running.port, 'GET http://example.com/api/task/2 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n'),
      );
      expect(response.status).toBe(200);
      expect(response.body).toBe('{"id":2,"name":"task2","description":"This is task 2"}');
    });

    it.each(['/api/tasks', '/api/task/2', '/healthz', '/readyz', '/api/task/99', '/api/task/abc'])(
      'HEAD %s has the GET status and headers but no body',
      async (path) => {
        // GIVEN what GET answers
        const viaGet = await get(path);
        const getBody = await viaGet.text();
        // WHEN the same path is requested with HEAD
        const raw = parseRawResponse(
          await rawRequest(running.port, `HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        // THEN status and length match, and no body is sent
        expect(raw.status).toBe(viaGet.status);
        expect(raw.headers['content-type']).toBe(JSON_TYPE);
        expect(raw.headers['content-length']).toBe(String(Buffer.byteLength(getBody)));
        expect(raw.body).toBe('');
      },
    );

    it('GET /healthz answers {"status":"ok"}', async () => {
      const response = await get('/healthz');
      expect(response.status).toBe(200);
      expectStandardHeaders(response.headers);
      expect(await response.text()).toBe('{"status":"ok"}');
    });

    it('GET /readyz answers 200, with the database state when there is one', async () => {
      const response = await get('/readyz');
      expect(response.status).toBe(200);
      expectStandardHeaders(response.headers);
      expect(await response.text()).toBe(backend === 'in memory' ? '{"status":"ready"}' : '{"status":"ready","database":"ok"}');
    });

    it('keeps connections alive past the ALB idle timeout, and answers pipelined requests in order', async () => {
      // GIVEN two requests sent back to back on one connection, the second asking to close
      const raw = await rawRequest(
        running.port,
        'GET /api/task/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/task/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      // THEN both are answered in order; the first keeps the connection open for 65 s
      const second = raw.lastIndexOf('HTTP/1.1 ');
      const [first, last] = [parseRawResponse(raw.slice(0, second)), parseRawResponse(raw.slice(second))];
      expect(first.status).toBe(200);
      expect(first.headers['connection']).toBe('keep-alive');
      expect(first.headers['keep-alive']).toBe('timeout=65');
      expect(first.body).toBe('{"id":1,"name":"task1","description":"This is task 1"}');
      expect(last.status).toBe(200);
      expect(last.headers['connection']).toBe('close');
      expect(last.body).toBe('{"id":3,"name":"task3","description":"This is task 3"}');
    });
  });

  describe('bad input gets a JSON 4xx, never a 5xx', () => {
    it('404 not_found for an unknown task id', async () => {
      // GIVEN an id no task has WHEN it is requested
      const response = await get('/api/task/99');
      // THEN 404 with the JSON error body
      expect(response.status).toBe(404);
      expectStandardHeaders(response.headers);
      expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'Task not found' } });
    });

    it.each(['abc', '-1', '0', '1.5', '01', '1e3', '0x2', '%32', '2%20', '+2', '9007199254740993', '99999999999999999999999999', ''])(
      '400 invalid_id for the malformed id %j',
      async (id) => {
        const response = await get(`/api/task/${id}`);
        expect(response.status).toBe(400);
        expectStandardHeaders(response.headers);
        expect(await response.json()).toEqual({ error: { code: 'invalid_id', message: 'Task id must be a positive integer' } });
      },
    );

    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('405 with Allow: GET, HEAD for %s on every known route', async (method) => {
      for (const path of ['/api/tasks', '/api/task/2', '/api/task/abc', '/healthz', '/readyz']) {
        const response = await get(path, { method, body: method === 'POST' || method === 'PUT' ? '{"name":"x"}' : null });
        expect(response.status).toBe(405);
        expectStandardHeaders(response.headers);
        expect(response.headers.get('allow')).toBe('GET, HEAD');
        expect(await response.json()).toEqual({
          error: { code: 'method_not_allowed', message: 'Method not allowed; allowed: GET, HEAD' },
        });
      }
    });

    it.each(['/', '/api', '/api/', '/api/tasks/', '/api/task', '/api/task/2/', '/api/task/2/x', '/API/TASKS', '/index.html', '/healthz/', '//api/tasks'])(
      '404 not_found for the unknown route %s',
      async (path) => {
        const response = await get(path);
        expect(response.status).toBe(404);
        expectStandardHeaders(response.headers);
        expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'Route not found' } });
      },
    );

    it('404 (not 405) for other methods on an unknown route', async () => {
      const response = await get('/nope', { method: 'DELETE' });
      expect(response.status).toBe(404);
      expect(response.headers.get('allow')).toBeNull();
    });

    it('431 JSON for a 20 KB header', async () => {
      // GIVEN a request whose header block exceeds Node's 16 KB limit
      const request = `GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`;
      // WHEN it is sent over a raw socket
      const response = parseRawResponse(await rawRequest(running.port, request));
      // THEN the parser error is answered as JSON, and the connection closed
      expect(response.status).toBe(431);
      expectStandardRawHeaders(response);
      expect(response.headers['connection']).toBe('close');
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'headers_too_large', message: 'Request header fields too large' } });
    });

    it.each([
      ['a malformed request line', 'THIS IS NOT HTTP\r\n\r\n'],
      ['an unknown method', 'BREW /api/tasks HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['a bad HTTP version', 'GET /api/tasks HTTP/9.9\r\nHost: x\r\n\r\n'],
      ['a header without a colon', 'GET /api/tasks HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n'],
      ['both Content-Length and Transfer-Encoding', 'GET /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'],
      ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ])('400 JSON for %s', async (_name, request) => {
      const response = parseRawResponse(await rawRequest(running.port, request));
      expect(response.status).toBe(400);
      expectStandardRawHeaders(response);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'bad_request', message: 'Malformed HTTP request' } });
    });

    it('400 JSON for an HTTP/1.1 request without Host', async () => {
      const response = parseRawResponse(await rawRequest(running.port, 'GET /api/tasks HTTP/1.1\r\nConnection: close\r\n\r\n'));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe(JSON_TYPE);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'bad_request', message: 'Missing Host header' } });
    });

    it('serves HTTP/1.0 requests, which need no Host', async () => {
      const response = parseRawResponse(await rawRequest(running.port, 'GET /api/tasks HTTP/1.0\r\n\r\n'));
      expect(response.status).toBe(200);
      expect(response.body).toBe(TASKS_JSON);
    });

    it('400 JSON for a request target that is not a path', async () => {
      const response = parseRawResponse(await rawRequest(running.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'bad_request', message: 'Malformed request target' } });
    });

    it('417 JSON for an unsupported Expect header', async () => {
      const response = parseRawResponse(
        await rawRequest(running.port, 'GET /api/tasks HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n'),
      );
      expect(response.status).toBe(417);
      expect(response.headers['content-type']).toBe(JSON_TYPE);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'expectation_failed', message: 'Unsupported Expect header' } });
    });

    it('405 JSON for CONNECT', async () => {
      const response = parseRawResponse(await rawRequest(running.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
      expect(response.status).toBe(405);
      expect(response.headers['allow']).toBe('GET, HEAD');
      expectStandardRawHeaders(response);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'method_not_allowed', message: 'Method not allowed; allowed: GET, HEAD' } });
    });

    it('never answers hostile paths with HTML, a stack trace or a 5xx', async () => {
      for (const path of ['/api/task/%', '/api/task/%zz', '/%', '/api/task/<script>', '/api/task/..%2f..%2fetc%2fpasswd', `/api/task/${'9'.repeat(5000)}`, '/api/tasks%00']) {
        const response = parseRawResponse(await rawRequest(running.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        expect(response.status, path).toBeGreaterThanOrEqual(400);
        expect(response.status, path).toBeLessThan(500);
        expect(response.headers['content-type'], path).toBe(JSON_TYPE);
        expect(response.body, path).not.toMatch(/<html|\bat .+:\d+:\d+/i);
        expect(JSON.parse(response.body), path).toHaveProperty('error.code');
      }
    });
  });

  describe('request ids', () => {
    it('echoes a sane incoming X-Request-Id', async () => {
      const id = 'Root-1.abc_DEF-2';
      const response = await get('/api/tasks', { headers: { 'x-request-id': id } });
      expect(response.headers.get('x-request-id')).toBe(id);
    });

    it('echoes one of exactly 128 characters', async () => {
      const id = 'a'.repeat(128);
      expect((await get('/healthz', { headers: { 'x-request-id': id } })).headers.get('x-request-id')).toBe(id);
    });

    it.each([['too long', 'a'.repeat(129)], ['spaces', 'has spaces'], ['separators', 'a;b,c'], ['slashes', 'a/b'], ['unicode', 'ü']])(
      'generates a UUID instead of echoing one with %s',
      async (_name, id) => {
        const response = await get('/api/tasks', { headers: { 'x-request-id': id } });
        expect(response.headers.get('x-request-id')).toMatch(UUID);
      },
    );

    it('generates a fresh UUID per request when none is sent', async () => {
      const first = (await get('/api/tasks')).headers.get('x-request-id');
      const second = (await get('/api/tasks')).headers.get('x-request-id');
      expect(first).toMatch(UUID);
      expect(second).toMatch(UUID);
      expect(first).not.toBe(second);
    });

    it('sets a request id on errors too', async () => {
      const response = await get('/api/task/abc', { headers: { 'x-request-id': 'err-1' } });
      expect(response.headers.get('x-request-id')).toBe('err-1');
    });
  });

  describe('access logs', () => {
    it('writes one JSON line per request with method, path, status, durationMs and requestId', async () => {
      // GIVEN a request with a known id WHEN it is served
      await get('/api/task/3?secret=1', { headers: { 'x-request-id': 'log-check-1' } });
      // THEN exactly one access log line describes it, without the query string
      const lines = running.logs.filter((line) => line['requestId'] === 'log-check-1');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toEqual({
        time: expect.any(String),
        level: 'info',
        msg: 'request',
        method: 'GET',
        path: '/api/task/3',
        status: 200,
        durationMs: expect.any(Number),
        requestId: 'log-check-1',
      });
      const time = String(lines[0]?.['time']);
      expect(new Date(time).toISOString()).toBe(time);
    });

    it('logs client errors at info level with their status', async () => {
      await get('/api/task/0', { headers: { 'x-request-id': 'log-check-2' } });
      expect(running.logs.find((line) => line['requestId'] === 'log-check-2')).toMatchObject({ level: 'info', status: 400, path: '/api/task/0' });
    });

    it('logs health checks at debug level only', async () => {
      await get('/healthz', { headers: { 'x-request-id': 'health-1' } });
      expect(running.logs.find((line) => line['requestId'] === 'health-1')).toMatchObject({ level: 'debug', status: 200 });
    });

    it('logs parser-level rejections', async () => {
      const response = parseRawResponse(await rawRequest(running.port, 'NOT HTTP\r\n\r\n'));
      expect(running.logs.find((line) => line['requestId'] === response.headers['x-request-id'])).toMatchObject({
        level: 'info',
        msg: 'request rejected',
        status: 400,
      });
    });

    it('truncates very long paths in the log', async () => {
      const path = `/x${'y'.repeat(2000)}`;
      await get(path, { headers: { 'x-request-id': 'long-path' } });
      const logged = String(running.logs.find((line) => line['requestId'] === 'long-path')?.['path']);
      expect(logged.length).toBeLessThanOrEqual(257);
      expect(path.startsWith(logged.slice(0, -1))).toBe(true);
    });
  });
});

describe('log level', () => {
  it('GIVEN LOG_LEVEL info WHEN health and API requests arrive THEN only the API request is logged', async () => {
    const running = await startApi({ level: 'info' });
    await (await fetch(`${running.baseUrl}/healthz`)).text();
    await (await fetch(`${running.baseUrl}/api/tasks`)).text();
    await running.api.close();
    expect(running.logs.filter((line) => line['msg'] === 'request').map((line) => line['path'])).toEqual(['/api/tasks']);
    expect(running.logs.every((line) => line['level'] !== 'debug')).toBe(true);
  });

  it('GIVEN LOG_LEVEL warn THEN no access lines are written', async () => {
    const running = await startApi({ level: 'warn' });
    await (await fetch(`${running.baseUrl}/api/tasks`)).text();
    await running.api.close();
    expect(running.logs).toEqual([]);
  });
});

describe('internal errors', () => {
  it('GIVEN a bug while handling WHEN a request arrives THEN a bare JSON 500 is sent and the error logged', async () => {
    // The test seam stands in for a bug: it throws after routing.
    const running = await startApi({
      beforeRespond: () => Promise.reject(new Error('boom at secret/path.ts:1:1')),
    });
    const response = await fetch(`${running.baseUrl}/api/tasks`, { headers: { 'x-request-id': 'bug-1' } });
    expect(response.status).toBe(500);
    expectStandardHeaders(response.headers);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'Internal server error' } });
    expect(text).not.toContain('boom');
    await running.api.close();
    const logged = running.logs.find((line) => line['msg'] === 'unhandled error');
    expect(logged).toMatchObject({ level: 'error', requestId: 'bug-1', err: { name: 'Error', message: 'boom at secret/path.ts:1:1' } });
    expect(running.logs.find((line) => line['msg'] === 'request' && line['requestId'] === 'bug-1')).toMatchObject({ level: 'error', status: 500 });
  });
});
