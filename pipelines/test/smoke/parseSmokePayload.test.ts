import { describe, expect, it } from 'vitest';
import { parseSmokePayload } from '../../src/smoke/parseSmokePayload';

describe('parseSmokePayload', () => {
  it('accepts the smoke function result, ignoring unknown fields', () => {
    // GIVEN a payload as the consumer smoke function returns it, plus a field the pipeline does not know
    const text = JSON.stringify({
      ok: false,
      baseUrl: 'http://vpce-1.example:80',
      version: 2,
      checks: [
        { path: '/api/tasks', ok: true, status: 200, contentType: 'application/json', durationMs: 5, body: '[]' },
        { path: '/api/task/2', ok: false, durationMs: 200, problem: 'timed out', status: null },
      ],
    });
    // WHEN it is parsed
    const result = parseSmokePayload(text);
    // THEN it is valid, with null treated as absent
    expect(result).toEqual({
      valid: true,
      payload: {
        ok: false,
        baseUrl: 'http://vpce-1.example:80',
        checks: [
          { path: '/api/tasks', ok: true, status: 200, contentType: 'application/json', durationMs: 5, body: '[]' },
          { path: '/api/task/2', ok: false, durationMs: 200, problem: 'timed out' },
        ],
      },
    });
  });

  it.each([
    ['', 'the payload is empty'],
    ['{"ok":tru', 'the payload is not JSON'],
    ['[]', 'the payload is not a JSON object'],
    ['"ok"', 'the payload is not a JSON object'],
    ['{"ok":true,"baseUrl":"u"}', 'checks must be an array'],
    ['{"ok":true,"baseUrl":"u","checks":[]}', 'checks must not be empty'],
    ['{"ok":true,"baseUrl":"u","checks":[1]}', 'checks[0] must be an object'],
    [
      '{"ok":true,"baseUrl":"u","checks":[{"path":"/a","ok":"true","durationMs":"5"}]}',
      'checks[0].ok must be a boolean (got "true"); checks[0].durationMs must be a number (got "5")',
    ],
    [
      '{"ok":true,"baseUrl":"u","checks":[{"path":"/a","ok":true,"durationMs":1,"status":"200","body":{}}]}',
      'checks[0].status must be a number (got "200"); checks[0].body must be a string (got {})',
    ],
  ])('rejects %j: %s', (text, problem) => {
    expect(parseSmokePayload(text)).toEqual({ valid: false, problem });
  });
});
