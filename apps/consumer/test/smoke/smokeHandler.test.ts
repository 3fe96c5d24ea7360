import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  handler,
  jsonDifference,
  MAX_BODY_CHARS,
  parseSmokeChecks,
  runSmokeChecks,
  type JsonValue,
  type SmokeCheck,
  type SmokeCheckSpec,
  type SmokeResult,
} from '../../src/smoke/smokeHandler';

/**
 * The checks these tests configure: a list and an object with exact bodies, and a status-only
 * check with a status other than 200 (as `service.smokeChecks` may say).
 */
const LIST = [
  { id: 1, name: 'first' },
  { id: 2, name: 'second' },
  { id: 3, name: 'third' },
];
const ITEM = { id: 2, name: 'second', tags: ['a', 'b'] };
const CHECKS: readonly SmokeCheckSpec[] = [
  { path: '/v1/items', status: 200, body: LIST },
  { path: '/v1/items/2', status: 200, body: ITEM },
  { path: '/ready', status: 204 },
];
const EXPECTED: Readonly<Record<string, { status: number; body?: JsonValue }>> = Object.fromEntries(
  CHECKS.map((check) => [check.path, check]),
);

type Route = (request: IncomingMessage, response: ServerResponse) => void;

const started: Server[] = [];

/** Starts a real HTTP server on an ephemeral 127.0.0.1 port and returns its base URL. */
async function startServer(route: Route): Promise<string> {
  const server = createServer(route);
  started.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server that answers as CHECKS expect, except where `overrides` says otherwise. */
function providerLike(overrides: Partial<Record<string, { status?: number; contentType?: string; body: string }>> = {}): Route {
  return (request, response) => {
    const path = request.url ?? '';
    const override = overrides[path];
    if (override !== undefined) {
      response.writeHead(override.status ?? 200, { 'content-type': override.contentType ?? 'application/json; charset=utf-8' });
      response.end(override.body);
      return;
    }
    const expected = EXPECTED[path];
    if (request.method === 'GET' && expected !== undefined) {
      if (expected.body === undefined) {
        response.writeHead(expected.status);
        response.end();
        return;
      }
      response.writeHead(expected.status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(expected.body));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":"not found"}');
  };
}

function checkFor(result: SmokeResult, path: string): SmokeCheck {
  const check = result.checks.find((candidate) => candidate.path === path);
  if (check === undefined) throw new Error(`no check for ${path} in ${JSON.stringify(result)}`);
  return check;
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(
    started.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

describe('runSmokeChecks', () => {
  it('passes when the API answers exactly as the configured checks say', async () => {
    // GIVEN a server that answers like the provider
    const baseUrl = await startServer(providerLike());
    // WHEN the checks run against it
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN every check is ok and records status, content type, duration and body
    expect(result.ok).toBe(true);
    expect(result.baseUrl).toBe(baseUrl);
    expect(result.checks.map((check) => [check.path, check.ok, check.status, check.problem])).toEqual(
      CHECKS.map((check) => [check.path, true, check.status, undefined]),
    );
    expect(checkFor(result, '/v1/items/2')).toMatchObject({
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(ITEM),
    });
    for (const check of result.checks) expect(check.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('compares parsed JSON, so whitespace and a trailing slash on the base URL do not matter', async () => {
    // GIVEN a server that pretty-prints the right values
    const baseUrl = await startServer(
      providerLike({
        '/v1/items': { body: JSON.stringify(LIST, null, 2) },
        '/v1/items/2': { body: `\n  ${JSON.stringify(ITEM, null, 4)}\n` },
      }),
    );
    // WHEN the checks run against its URL with a trailing slash
    const result = await runSmokeChecks(`${baseUrl}/`, CHECKS, 2000);
    // THEN they pass
    expect(result.ok).toBe(true);
  });

  it('fails on a wrong value in item 2, naming the path, the difference and what came back', async () => {
    // GIVEN a server whose item 2 has the wrong name
    const wrong = '{"id":2,"name":"other","tags":["a","b"]}';
    const baseUrl = await startServer(providerLike({ '/v1/items/2': { body: wrong } }));
    // WHEN the checks run
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN the result is not ok, only item 2 failed, and it says why and what came back
    expect(result.ok).toBe(false);
    expect(checkFor(result, '/v1/items').ok).toBe(true);
    expect(checkFor(result, '/v1/items/2')).toMatchObject({
      path: '/v1/items/2',
      ok: false,
      status: 200,
      problem: 'body does not match the contract: $.name: expected "second", got "other"',
      body: wrong,
    });
  });

  it('fails when an object has an extra key or the list is incomplete', async () => {
    // GIVEN a server whose item 2 has an extra key and whose list lacks item 3
    const baseUrl = await startServer(
      providerLike({
        '/v1/items/2': { body: JSON.stringify({ ...ITEM, done: false }) },
        '/v1/items': { body: JSON.stringify(LIST.slice(0, 2)) },
      }),
    );
    // WHEN the checks run
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN both fail, each with its difference
    expect(result.ok).toBe(false);
    expect(checkFor(result, '/v1/items/2').problem).toContain('$: unexpected key(s) "done"');
    expect(checkFor(result, '/v1/items').problem).toContain('$: expected 3 items, got 2');
  });

  it('fails on a 500, recording the status and body', async () => {
    // GIVEN a server that answers 500 on the list
    const baseUrl = await startServer(providerLike({ '/v1/items': { status: 500, body: '{"error":"internal"}' } }));
    // WHEN the checks run
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN the list check fails with the status and what came back
    expect(result.ok).toBe(false);
    const check = checkFor(result, '/v1/items');
    expect(check).toMatchObject({ ok: false, status: 500, body: '{"error":"internal"}' });
    expect(check.problem).toContain('expected status 200, got 500');
  });

  it('fails on an HTML body, reporting the content type and the unparsable body', async () => {
    // GIVEN a server that answers with an HTML page (e.g. a proxy's error page)
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    const baseUrl = await startServer(providerLike({ '/v1/items/2': { contentType: 'text/html', body: html } }));
    // WHEN the checks run
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN that check fails and says both what is wrong and what came back
    expect(result.ok).toBe(false);
    const check = checkFor(result, '/v1/items/2');
    expect(check).toMatchObject({ ok: false, status: 200, contentType: 'text/html', body: html });
    expect(check.problem).toBe('content-type is "text/html", expected application/json; body is not valid JSON');
  });

  it('fails on the right JSON served with a content type other than application/json', async () => {
    // GIVEN a server that sends the right body as text/plain
    const body = JSON.stringify(ITEM);
    const baseUrl = await startServer(providerLike({ '/v1/items/2': { contentType: 'text/plain', body } }));
    // WHEN the checks run
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN only the content type is reported
    expect(checkFor(result, '/v1/items/2')).toMatchObject({
      ok: false,
      problem: 'content-type is "text/plain", expected application/json',
    });
  });

  it('reports a redirect instead of following it', async () => {
    // GIVEN a server that redirects the list elsewhere
    const baseUrl = await startServer((request, response) => {
      if (request.url === '/v1/items') {
        response.writeHead(302, { location: '/v1/items/2', 'content-type': 'text/plain' });
        response.end('Found');
        return;
      }
      providerLike()(request, response);
    });
    // WHEN the checks run
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN the list check fails with the redirect status
    expect(checkFor(result, '/v1/items')).toMatchObject({ ok: false, status: 302, body: 'Found' });
    expect(checkFor(result, '/v1/items').problem).toContain('expected status 200, got 302');
  });

  it('truncates a long body', async () => {
    // GIVEN a server that answers with a very long body
    const baseUrl = await startServer(providerLike({ '/v1/items': { body: 'x'.repeat(5000) } }));
    // WHEN the checks run
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN the recorded body is cut and marked
    const body = checkFor(result, '/v1/items').body ?? '';
    expect(body.startsWith('x'.repeat(MAX_BODY_CHARS))).toBe(true);
    expect(body).toContain('(truncated, 5000 characters in all)');
    expect(body.length).toBeLessThan(MAX_BODY_CHARS + 50);
  });

  it('fails with a timeout problem when the server never answers', async () => {
    // GIVEN a server that accepts connections but never answers
    const baseUrl = await startServer(() => undefined);
    // WHEN the checks run with a 200 ms timeout
    const before = Date.now();
    const result = await runSmokeChecks(baseUrl, CHECKS, 200);
    // THEN they fail quickly, each with a timeout problem and no status
    expect(Date.now() - before).toBeLessThan(3000);
    expect(result.ok).toBe(false);
    for (const check of result.checks) {
      expect(check).toMatchObject({ ok: false, problem: 'timed out after 200 ms waiting for a response' });
      expect(check.status).toBeUndefined();
    }
  });

  it('fails with the network error when the connection is refused', async () => {
    // GIVEN a port where nothing listens any more
    const baseUrl = await startServer(providerLike());
    const server = started.pop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    // WHEN the checks run against it
    const result = await runSmokeChecks(baseUrl, CHECKS, 2000);
    // THEN every check fails with the underlying error, not just "fetch failed"
    expect(result.ok).toBe(false);
    for (const check of result.checks) {
      expect(check.ok).toBe(false);
      expect(check.problem).toMatch(/^request failed: .*ECONNREFUSED/);
    }
  });
});

describe('handler', () => {
  it('reads API_BASE_URL from the environment', async () => {
    // GIVEN API_BASE_URL points at a correct server
    vi.stubEnv('API_BASE_URL', await startServer(providerLike()));
    vi.stubEnv('SMOKE_CHECKS', JSON.stringify(CHECKS));
    // WHEN the handler runs
    const result = await handler();
    // THEN it passes, one check per configured request
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => check.path)).toEqual(CHECKS.map((check) => check.path));
  });

  it('reads REQUEST_TIMEOUT_MS from the environment', async () => {
    // GIVEN a server that never answers and a 150 ms request timeout
    vi.stubEnv('API_BASE_URL', await startServer(() => undefined));
    vi.stubEnv('SMOKE_CHECKS', JSON.stringify(CHECKS));
    vi.stubEnv('REQUEST_TIMEOUT_MS', '150');
    // WHEN the handler runs
    const result = await handler();
    // THEN the checks time out after 150 ms
    expect(result.ok).toBe(false);
    expect(result.checks[0]?.problem).toBe('timed out after 150 ms waiting for a response');
  });

  it('returns ok:false with a clear problem, and does not throw, when API_BASE_URL is missing', async () => {
    // GIVEN checks but no API_BASE_URL
    vi.stubEnv('API_BASE_URL', undefined);
    vi.stubEnv('SMOKE_CHECKS', JSON.stringify(CHECKS));
    // WHEN the handler runs
    const result = await handler();
    // THEN it resolves to a failed result whose checks name the missing variable
    expect(result.ok).toBe(false);
    expect(result.baseUrl).toBe('');
    expect(result.checks.map((check) => check.path)).toEqual(CHECKS.map((check) => check.path));
    for (const check of result.checks) {
      expect(check.ok).toBe(false);
      expect(check.problem).toMatch(/^API_BASE_URL is not set/);
    }
  });

  it.each([
    ['API_BASE_URL', 'not a url', 'API_BASE_URL is not a valid URL (got "not a url")'],
    ['API_BASE_URL', 'ftp://example.com', 'API_BASE_URL must be an http or https URL (got "ftp://example.com")'],
    ['REQUEST_TIMEOUT_MS', 'soon', 'REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds (got "soon")'],
    ['REQUEST_TIMEOUT_MS', '0', 'REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds (got "0")'],
  ])('returns ok:false when %s is "%s"', async (name, value, problem) => {
    // GIVEN a valid configuration with one bad variable
    vi.stubEnv('API_BASE_URL', 'http://127.0.0.1:1');
    vi.stubEnv('SMOKE_CHECKS', JSON.stringify(CHECKS));
    vi.stubEnv(name, value);
    // WHEN the handler runs
    const result = await handler();
    // THEN every check carries the configuration problem
    expect(result.ok).toBe(false);
    expect(result.checks.map((check) => check.problem)).toEqual(CHECKS.map(() => problem));
  });
});

describe('configured checks', () => {
  it('checks only the status when a check names no body, whatever the content type', async () => {
    // GIVEN a status-only check for 204 and a server that answers 204 with no content type
    const baseUrl = await startServer(providerLike());
    // WHEN only that check runs
    const result = await runSmokeChecks(baseUrl, [{ path: '/ready', status: 204 }], 2000);
    // THEN it passes without a content type
    expect(result).toMatchObject({ ok: true, checks: [{ path: '/ready', ok: true, status: 204 }] });
    expect(result.checks[0]?.contentType).toBeUndefined();
  });

  it('fails a status-only check on another status, even with a JSON body', async () => {
    // GIVEN a server that answers 200 where 204 is expected
    const baseUrl = await startServer(providerLike({ '/ready': { body: '{"ready":true}' } }));
    // WHEN the check runs
    const result = await runSmokeChecks(baseUrl, [{ path: '/ready', status: 204 }], 2000);
    // THEN only the status is reported
    expect(result.checks[0]).toMatchObject({ ok: false, status: 200, problem: 'expected status 204, got 200' });
  });

  it('never passes with no checks at all', async () => {
    expect((await runSmokeChecks('http://127.0.0.1:1', [], 2000)).ok).toBe(false);
  });

  it('fails every check with one clear problem, and does not throw, when SMOKE_CHECKS is missing', async () => {
    // GIVEN a reachable API but no SMOKE_CHECKS
    vi.stubEnv('API_BASE_URL', await startServer(providerLike()));
    vi.stubEnv('SMOKE_CHECKS', undefined);
    // WHEN the handler runs
    const result = await handler();
    // THEN the result keeps its shape: one failed check naming the variable
    expect(result.ok).toBe(false);
    expect(result.checks).toEqual([
      { path: 'SMOKE_CHECKS', ok: false, durationMs: 0, problem: expect.stringMatching(/^SMOKE_CHECKS is not set/) },
    ]);
  });

  it.each([
    ['not JSON', '{oops', 'SMOKE_CHECKS is not valid JSON (got "{oops")'],
    ['an empty list', '[]', 'SMOKE_CHECKS must be a non-empty JSON array of {path, status, body?} (got "[]")'],
    ['an object', '{"path":"/x"}', 'SMOKE_CHECKS must be a non-empty JSON array of {path, status, body?} (got "{\\"path\\":\\"/x\\"}")'],
  ])('fails with a clear problem when SMOKE_CHECKS is %s', async (_what, value, problem) => {
    vi.stubEnv('API_BASE_URL', 'http://127.0.0.1:1');
    vi.stubEnv('SMOKE_CHECKS', value);
    const result = await handler();
    expect(result).toEqual({ ok: false, baseUrl: 'http://127.0.0.1:1', checks: [{ path: 'SMOKE_CHECKS', ok: false, durationMs: 0, problem }] });
  });

  it('fails every readable path, naming each bad entry and field, when some entry is invalid', async () => {
    // GIVEN one good check, one without a status and one whose path is not a path
    vi.stubEnv('API_BASE_URL', await startServer(providerLike()));
    vi.stubEnv('SMOKE_CHECKS', JSON.stringify([{ path: '/ready', status: 204 }, { path: '/v1/items' }, { path: 'v1', status: 99 }]));
    // WHEN the handler runs
    const result = await handler();
    // THEN nothing is requested and every path it could read fails with every problem
    const problem =
      'SMOKE_CHECKS[1].status must be an HTTP status between 100 and 599 (got nothing); ' +
      'SMOKE_CHECKS[2].path must be a URL path starting with / (got "v1"); ' +
      'SMOKE_CHECKS[2].status must be an HTTP status between 100 and 599 (got 99)';
    expect(result.ok).toBe(false);
    expect(result.checks).toEqual([
      { path: '/ready', ok: false, durationMs: 0, problem },
      { path: '/v1/items', ok: false, durationMs: 0, problem },
    ]);
  });

  it('reads a valid SMOKE_CHECKS with and without bodies', () => {
    expect(parseSmokeChecks(JSON.stringify(CHECKS))).toEqual({ checks: CHECKS, paths: CHECKS.map((check) => check.path) });
  });
});

describe('jsonDifference', () => {
  it('finds no difference between equal values', () => {
    expect(jsonDifference(LIST, structuredClone(LIST))).toBeUndefined();
  });

  it.each([
    [{ id: 2 }, { id: '2' }, '$.id: expected 2, got "2"'],
    [{ id: 2 }, { ID: 2 }, '$: missing key(s) "id"'],
    [[1, 2], [2, 1], '$[0]: expected 1, got 2'],
    [[1], { 0: 1 }, '$: expected an array, got {"0":1}'],
    [{ a: { b: null } }, { a: [] }, '$.a: expected an object, got []'],
  ])('reports %j vs %j as "%s"', (expected, actual, difference) => {
    expect(jsonDifference(expected, actual)).toBe(difference);
  });
});
