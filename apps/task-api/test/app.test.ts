import { describe, expect, it } from 'vitest';
import { parseTaskId, requestPath, RESULTS, route } from '../src/app';

const body = (method: string, url: string): unknown => JSON.parse(route(method, requestPath(url)).body.toString('utf8'));

describe('route (pure)', () => {
  it('GIVEN GET /api/tasks THEN 200 with the prepared list', () => {
    const result = route('GET', '/api/tasks');
    expect(result.status).toBe(200);
    expect(result.body.toString()).toBe(
      '[{"id":1,"name":"task1","description":"This is task 1"},{"id":2,"name":"task2","description":"This is task 2"},{"id":3,"name":"task3","description":"This is task 3"}]',
    );
    expect(result.contentLength).toBe(String(result.body.length));
  });

  it('GIVEN the same request twice THEN the same prepared object is returned (no per-request allocation)', () => {
    expect(route('GET', '/api/task/2')).toBe(route('HEAD', '/api/task/2'));
  });

  it('GIVEN a known route and another method THEN 405 before the id is checked', () => {
    expect(route('POST', '/api/task/abc')).toMatchObject({ status: 405, allow: 'GET, HEAD' });
  });

  it('GIVEN an unparseable request target THEN 400 bad_request', () => {
    expect(route('GET', undefined)).toBe(RESULTS.badTarget);
  });

  it.each([
    ['GET', '/healthz', { status: 'ok' }],
    ['GET', '/api/task/99', { error: { code: 'not_found', message: 'Task not found' } }],
    ['GET', '/nope', { error: { code: 'not_found', message: 'Route not found' } }],
  ])('GIVEN %s %s THEN the matching JSON body', (method, url, expected) => {
    expect(body(method, url)).toEqual(expected);
  });
});

describe('requestPath', () => {
  it.each([
    ['/api/tasks', '/api/tasks'],
    ['/api/tasks?x=1', '/api/tasks'],
    ['/?', '/'],
    ['http://host/api/task/1?x', '/api/task/1'],
    ['HTTPS://host:8080', '/'],
    ['*', undefined],
    ['example.com:443', undefined],
  ])('%j -> %j', (url, expected) => {
    expect(requestPath(url)).toBe(expected);
  });
});

describe('parseTaskId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('accepts %j', (segment, id) => {
    expect(parseTaskId(segment)).toBe(id);
  });

  it.each(['', '0', '00', '01', '-1', '+1', '1.0', '1.5', '1e3', '0x1', ' 1', '1 ', '%31', 'abc', '9007199254740992', '12345678901234567'])(
    'rejects %j',
    (segment) => {
      expect(parseTaskId(segment)).toBeUndefined();
    },
  );
});
