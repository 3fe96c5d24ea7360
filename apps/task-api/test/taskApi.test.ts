import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRawResponse, rawRequest, startApi, type RunningApi } from './helpers';

const TASKS = [
  { id: 1, name: 'task1', description: 'This is task 1' },
  { id: 2, name: 'task2', description: 'This is task 2' },
  { id: 3, name: 'task3', description: 'This is task 3' },
];

function expectJsonHeaders(response: Response): void {
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('x-powered-by')).toBeNull();
  expect(response.headers.get('server')).toBeNull();
}

describe('task API over a real socket', () => {
  let running: RunningApi;

  beforeAll(async () => {
    running = await startApi();
  });

  afterAll(async () => {
    await running.api.shutdown();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${running.baseUrl}${path}`, init);

  describe('contract', () => {
    it('GET /api/tasks returns the three seed tasks, exactly', async () => {
      const response = await get('/api/tasks');
      expect(response.status).toBe(200);
      expectJsonHeaders(response);
      const text = await response.text();
      expect(text).toBe(JSON.stringify(TASKS));
      expect(JSON.parse(text)).toEqual(TASKS);
    });

    it('GET /api/task/2 returns task 2, exactly', async () => {
      const response = await get('/api/task/2');
      expect(response.status).toBe(200);
      expectJsonHeaders(response);
      expect(await response.text()).toBe('{"id":2,"name":"task2","description":"This is task 2"}');
    });

    it.each([1, 3])('GET /api/task/%i returns that task', async (id) => {
      const response = await get(`/api/task/${id}`);
      expect(await response.json()).toEqual(TASKS[id - 1]);
    });

    it('ignores a query string', async () => {
      const response = await get('/api/tasks?page=2');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(TASKS);
    });

    it('answers HEAD with the headers and no body', async () => {
      const response = await get('/api/task/2', { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe('54');
      expect(await response.text()).toBe('');
    });

    it('serves a health route for the load balancers', async () => {
      const response = await get('/healthz');
      expect(response.status).toBe(200);
      expectJsonHeaders(response);
      expect(await response.json()).toEqual({ status: 'ok' });
    });
  });

  describe('bad input gets a JSON 4xx', () => {
    it('404 for an unknown task id', async () => {
      const response = await get('/api/task/99');
      expect(response.status).toBe(404);
      expectJsonHeaders(response);
      expect(await response.json()).toEqual({ error: { code: 'task_not_found', message: 'Task 99 does not exist' } });
    });

    it.each(['abc', '-1', '0', '1.5', '01', '1e3', '%32', '9999999999999999999999', ' 2', '2x'])(
      '400 for the malformed id %j',
      async (id) => {
        const response = await get(`/api/task/${encodeURI(id).replace(/%2532/, '%32')}`);
        expect(response.status).toBe(400);
        expectJsonHeaders(response);
        expect(await response.json()).toEqual({
          error: { code: 'invalid_task_id', message: 'Task id must be a positive whole number' },
        });
      },
    );

    it('400 for a missing id', async () => {
      const response = await get('/api/task/');
      expect(response.status).toBe(400);
    });

    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('405 with Allow for %s on a known route', async (method) => {
      for (const path of ['/api/tasks', '/api/task/2', '/healthz']) {
        const response = await get(path, { method });
        expect(response.status).toBe(405);
        expectJsonHeaders(response);
        expect(response.headers.get('allow')).toBe('GET, HEAD');
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
      }
    });

    it.each(['/', '/api', '/api/tasks/', '/api/task/2/extra', '/API/TASKS', '/index.html'])(
      '404 JSON for the unknown route %s',
      async (path) => {
        const response = await get(path);
        expect(response.status).toBe(404);
        expectJsonHeaders(response);
        expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No such route' } });
      },
    );

    it('431 JSON for oversized headers', async () => {
      const raw = await rawRequest(
        running.port,
        `GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
      );
      const response = parseRawResponse(raw);
      expect(response.status).toBe(431);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(JSON.parse(response.body).error.code).toBe('headers_too_large');
    });

    it('400 JSON for a malformed request line', async () => {
      const response = parseRawResponse(await rawRequest(running.port, 'THIS IS NOT HTTP\r\n\r\n'));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'bad_request', message: 'Malformed HTTP request' } });
    });

    it('never answers with HTML or a stack trace', async () => {
      for (const path of ['/api/task/%', '/api/task/%zz', '/%', '/api/task/<script>']) {
        const raw = parseRawResponse(await rawRequest(running.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        expect(raw.status).toBeGreaterThanOrEqual(400);
        expect(raw.status).toBeLessThan(500);
        expect(raw.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(raw.body).not.toMatch(/<html|\bat .+:\d+:\d+/i);
      }
    });
  });

  describe('request ids and logs', () => {
    it('echoes a well-formed X-Request-Id', async () => {
      const response = await get('/api/tasks', { headers: { 'x-request-id': 'abc-123.XYZ_9' } });
      expect(response.headers.get('x-request-id')).toBe('abc-123.XYZ_9');
    });

    it('replaces a malformed or missing X-Request-Id with a UUID', async () => {
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      const bad = await get('/api/tasks', { headers: { 'x-request-id': 'has spaces and ; semicolons' } });
      expect(bad.headers.get('x-request-id')).toMatch(uuid);
      const missing = await get('/api/tasks');
      expect(missing.headers.get('x-request-id')).toMatch(uuid);
    });

    it('writes one structured access log line per request', async () => {
      await get('/api/task/3', { headers: { 'x-request-id': 'log-check-1' } });
      const line = running.logs.find((entry) => entry['requestId'] === 'log-check-1');
      expect(line).toMatchObject({
        level: 'info',
        msg: 'request',
        method: 'GET',
        path: '/api/task/3',
        status: 200,
      });
      expect(typeof line?.['durationMs']).toBe('number');
      expect(new Date(String(line?.['time'])).toISOString()).toBe(line?.['time']);
    });

    it('logs health checks at debug level only', async () => {
      await get('/healthz', { headers: { 'x-request-id': 'health-1' } });
      expect(running.logs.find((entry) => entry['requestId'] === 'health-1')?.['level']).toBe('debug');
    });
  });
});

describe('log level', () => {
  it('drops debug lines at info level', async () => {
    const running = await startApi({}, 'info');
    await fetch(`${running.baseUrl}/healthz`);
    await fetch(`${running.baseUrl}/api/tasks`);
    await running.api.shutdown();
    expect(running.logs.filter((entry) => entry['msg'] === 'request').map((entry) => entry['path'])).toEqual(['/api/tasks']);
  });
});
