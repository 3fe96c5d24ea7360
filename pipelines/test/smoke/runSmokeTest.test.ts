import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  roleSessionName,
  runSmokeTest,
  SESSION_DURATION_SECONDS,
  SMOKE_FAILED,
  SMOKE_PASSED,
  type SmokeTestOptions,
} from '../../src/smoke/runSmokeTest';
import type { AssumedCredentials } from '../../src/cli/assumeRole';

const stsMock = mockClient(STSClient);
const lambdaMock = mockClient(LambdaClient);

const roleArn = 'arn:aws:iam::210000000001:role/fixture-api-smoke-test';
const functionName = 'fixture-api-consumer-alpha-smoke';
// An endpoint DNS name of the documented shape (ids elided: no endpoint service id is typed in this repository).
const baseUrl = 'http://vpce-example.vpce-svc-example.us-east-2.vpce.amazonaws.com:80';
const assumedCredentials = {
  AccessKeyId: 'ASIAEXAMPLEASSUMED',
  SecretAccessKey: 'assumed-secret',
  SessionToken: 'assumed-session-token',
  Expiration: new Date('2030-01-01T00:00:00Z'),
};

const tasksBody =
  '[{"id":1,"name":"task1","description":"This is task 1"},{"id":2,"name":"task2","description":"This is task 2"},{"id":3,"name":"task3","description":"This is task 3"}]';
const task2Body = '{"id":2,"name":"task2","description":"This is task 2"}';

const passingPayload = {
  ok: true,
  baseUrl,
  checks: [
    { path: '/api/tasks', ok: true, status: 200, contentType: 'application/json', durationMs: 41, body: tasksBody },
    { path: '/api/task/2', ok: true, status: 200, contentType: 'application/json', durationMs: 9, body: task2Body },
  ],
};

/** A Lambda response payload, as the SDK returns it. */
function payload(value: unknown): InvokeCommandOutput['Payload'] {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return new TextEncoder().encode(text) as InvokeCommandOutput['Payload'];
}

/** Runs the step against the mocks and collects what it writes. */
async function run(overrides: Partial<SmokeTestOptions> = {}) {
  const lines: string[] = [];
  const lambdaFor = vi.fn((credentials: AssumedCredentials, region: string) => new LambdaClient({ region, credentials }));
  const code = await runSmokeTest({
    consumer: 'alpha',
    roleArn,
    functionName,
    region: 'us-east-2',
    sts: new STSClient({ region: 'us-east-2' }),
    lambdaFor,
    write: (line) => lines.push(line),
    ...overrides,
  });
  return { code, lines, output: lines.join('\n'), lambdaFor };
}

/** A failure is one block: a first line naming the consumer, then indented details, no stack. */
function expectFailureBlock(lines: readonly string[]): void {
  expect(lines[0]).toMatch(/^✗ Smoke test FAILED for consumer "alpha": /);
  for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}/);
  for (const line of lines) expect(line).not.toMatch(/^\s+at .+:\d+/);
  expect(lines.join('\n')).not.toContain('.ts:');
}

beforeEach(() => {
  stsMock.reset();
  lambdaMock.reset();
  stsMock.on(AssumeRoleCommand).resolves({ Credentials: assumedCredentials });
  lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(passingPayload) });
});

describe('runSmokeTest', () => {
  it('passes with exit code 0 and one ✓ line per check', async () => {
    // GIVEN a consumer whose smoke function reports every check ok
    // WHEN the step runs
    const { code, lines } = await run();
    // THEN it exits 0 and prints a header and one ✓ line with the duration per check
    expect(code).toBe(SMOKE_PASSED);
    expect(lines).toEqual([
      `Smoke test passed for consumer "alpha": function ${functionName} (us-east-2) reached ${baseUrl}`,
      '  ✓ GET /api/tasks 200 (41 ms)',
      '  ✓ GET /api/task/2 200 (9 ms)',
    ]);
  });

  it('assumes the consumer role and invokes the function synchronously', async () => {
    // GIVEN the mocks answer as in a healthy consumer account
    // WHEN the step runs
    await run();
    // THEN it assumed the role with a named, short session
    const assumeRole = stsMock.commandCalls(AssumeRoleCommand);
    expect(assumeRole).toHaveLength(1);
    expect(assumeRole[0]?.args[0].input).toMatchObject({ RoleArn: roleArn, DurationSeconds: SESSION_DURATION_SECONDS });
    expect(assumeRole[0]?.args[0].input.RoleSessionName).toMatch(/^smoke-alpha-\d{13}$/);
    // AND invoked the function once, request-response
    const invoke = lambdaMock.commandCalls(InvokeCommand);
    expect(invoke).toHaveLength(1);
    expect(invoke[0]?.args[0].input).toMatchObject({ FunctionName: functionName, InvocationType: 'RequestResponse' });
  });

  it('passes the assumed credentials and the region to lambdaFor', async () => {
    // GIVEN AssumeRole returns temporary credentials
    // WHEN the step runs
    const { lambdaFor } = await run({ region: 'eu-central-1' });
    // THEN the Lambda client is built from exactly those credentials, in the requested region
    expect(lambdaFor).toHaveBeenCalledTimes(1);
    expect(lambdaFor).toHaveBeenCalledWith(
      { accessKeyId: 'ASIAEXAMPLEASSUMED', secretAccessKey: 'assumed-secret', sessionToken: 'assumed-session-token' },
      'eu-central-1',
    );
  });

  it('fails with exit code 1 naming the consumer when AssumeRole is denied', async () => {
    // GIVEN the pipeline may not assume the consumer role
    const denied = new STSServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::210000000009:assumed-role/pipeline/build is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    });
    stsMock.on(AssumeRoleCommand).rejects(denied);
    // WHEN the step runs
    const { code, lines, lambdaFor } = await run();
    // THEN it fails in one block naming the consumer, the role and the error, and never invokes
    expect(code).toBe(SMOKE_FAILED);
    expectFailureBlock(lines);
    expect(lines).toEqual([
      `✗ Smoke test FAILED for consumer "alpha": could not assume role ${roleArn}: AccessDenied: ${denied.message}`,
    ]);
    expect(lambdaFor).not.toHaveBeenCalled();
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('fails when AssumeRole returns no credentials', async () => {
    // GIVEN an AssumeRole answer without credentials
    stsMock.on(AssumeRoleCommand).resolves({});
    // WHEN the step runs
    const { code, lines } = await run();
    // THEN it fails and says so
    expect(code).toBe(SMOKE_FAILED);
    expectFailureBlock(lines);
    expect(lines[0]).toContain('AssumeRole returned no credentials');
  });

  it('fails naming the function when the invocation itself fails', async () => {
    // GIVEN the smoke function does not exist in the consumer account
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: assumedCredentials });
    lambdaMock
      .on(InvokeCommand)
      .rejects(Object.assign(new Error(`Function not found: ${functionName}`), { name: 'ResourceNotFoundException' }));
    // WHEN the step runs
    const { code, lines } = await run();
    // THEN it fails with the function, region and error
    expect(code).toBe(SMOKE_FAILED);
    expectFailureBlock(lines);
    expect(lines[0]).toBe(
      `✗ Smoke test FAILED for consumer "alpha": could not invoke function ${functionName} in us-east-2: ResourceNotFoundException: Function not found: ${functionName}`,
    );
  });

  it('fails with the error payload, without its stack trace, when the function errors', async () => {
    // GIVEN the function throws
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({
        errorType: 'Runtime.ImportModuleError',
        errorMessage: "Error: Cannot find module 'index'",
        trace: ['Runtime.ImportModuleError: Error: Cannot find module', '    at _loadUserApp (file:///var/runtime/index.mjs:1:1)'],
      }),
    });
    // WHEN the step runs
    const { code, lines, output } = await run();
    // THEN it fails and prints the error type and message
    expect(code).toBe(SMOKE_FAILED);
    expectFailureBlock(lines);
    expect(lines).toEqual([
      `✗ Smoke test FAILED for consumer "alpha": function ${functionName} failed (Unhandled)`,
      `  error payload: {"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'index'"}`,
    ]);
    expect(output).not.toContain('_loadUserApp');
  });

  it('fails listing each failed check with its path, status, problem and body', async () => {
    // GIVEN the API answered task 2 with a wrong value
    const wrongBody = '{"id":2,"name":"taskX","description":"This is task 2"}';
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payload({
        ok: false,
        baseUrl,
        checks: [
          passingPayload.checks[0],
          {
            path: '/api/task/2',
            ok: false,
            status: 200,
            contentType: 'application/json',
            durationMs: 12,
            problem: 'body does not match the contract: $.name: expected "task2", got "taskX"',
            body: wrongBody,
          },
        ],
      }),
    });
    // WHEN the step runs
    const { code, lines } = await run();
    // THEN it fails, naming the consumer, the endpoint, and what came back for the failed path
    expect(code).toBe(SMOKE_FAILED);
    expectFailureBlock(lines);
    expect(lines).toEqual([
      `✗ Smoke test FAILED for consumer "alpha": the API did not answer as expected through ${baseUrl} (1 of 2 checks failed)`,
      '  ✓ GET /api/tasks 200 (41 ms)',
      '  ✗ GET /api/task/2: body does not match the contract: $.name: expected "task2", got "taskX"',
      '      status: 200, content-type: application/json, after 12 ms',
      `      body: ${wrongBody}`,
    ]);
  });

  it('reports a check that got no response, and keeps a multi-line body on one line', async () => {
    // GIVEN one check timed out and one got a multi-line HTML page
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payload({
        ok: false,
        baseUrl,
        checks: [
          { path: '/api/tasks', ok: false, durationMs: 5003, problem: 'timed out after 5000 ms waiting for a response' },
          { path: '/api/task/2', ok: false, status: 502, durationMs: 3, problem: 'expected status 200, got 502', body: '<html>\n<h1>502</h1>\n</html>' },
        ],
      }),
    });
    // WHEN the step runs
    const { code, lines } = await run();
    // THEN both are listed
    expect(code).toBe(SMOKE_FAILED);
    expectFailureBlock(lines);
    expect(lines.slice(1)).toEqual([
      '  ✗ GET /api/tasks: timed out after 5000 ms waiting for a response',
      '      status: none (no response), after 5003 ms',
      '  ✗ GET /api/task/2: expected status 200, got 502',
      '      status: 502, after 3 ms',
      '      body: <html>\\n<h1>502</h1>\\n</html>',
    ]);
  });

  it('fails when the payload says ok but a check did not pass', async () => {
    // GIVEN an inconsistent payload
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payload({ ...passingPayload, checks: [{ ...passingPayload.checks[0], ok: false, problem: 'odd' }] }),
    });
    // WHEN the step runs
    const { code, lines } = await run();
    // THEN the step does not trust the top-level ok
    expect(code).toBe(SMOKE_FAILED);
    expect(lines[0]).toContain('(1 of 1 checks failed)');
  });

  it.each([
    ['not JSON', 'Task timed out after 3.00 seconds', 'the payload is not JSON'],
    ['empty', '', 'the payload is empty'],
    ['JSON null', 'null', 'the payload is not a JSON object'],
    ['a wrong shape', { ok: 'yes', checks: [] }, 'ok must be a boolean (got "yes"); baseUrl must be a string (got nothing); checks must not be empty'],
  ])('fails on a malformed payload (%s), printing what came back', async (_case, body, problem) => {
    // GIVEN the function returns something that is not a smoke result
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(body) });
    // WHEN the step runs
    const { code, lines } = await run();
    // THEN it fails, says what is wrong and echoes the payload
    expect(code).toBe(SMOKE_FAILED);
    expectFailureBlock(lines);
    expect(lines[0]).toBe(
      `✗ Smoke test FAILED for consumer "alpha": function ${functionName} returned a malformed payload: ${problem}`,
    );
    expect(lines[1]).toBe(`  payload: ${typeof body === 'string' ? body || '(empty)' : JSON.stringify(body)}`);
  });

  it('fails with "timed out" when the invocation outlives the deadline', async () => {
    // GIVEN an invocation that never returns
    lambdaMock.on(InvokeCommand).callsFake(() => new Promise(() => undefined));
    // WHEN the step runs with a 50 ms deadline
    const before = Date.now();
    const { code, lines } = await run({ timeoutMs: 50 });
    // THEN it gives up soon after the deadline, naming what it was doing
    expect(Date.now() - before).toBeLessThan(2000);
    expect(code).toBe(SMOKE_FAILED);
    expectFailureBlock(lines);
    expect(lines).toEqual([
      `✗ Smoke test FAILED for consumer "alpha": timed out after 50 ms while invoking function ${functionName} in us-east-2`,
    ]);
  });

  it('fails with "timed out" when AssumeRole outlives the deadline', async () => {
    // GIVEN an STS call that never returns
    stsMock.on(AssumeRoleCommand).callsFake(() => new Promise(() => undefined));
    // WHEN the step runs with a 50 ms deadline
    const { code, lines, lambdaFor } = await run({ timeoutMs: 50 });
    // THEN it times out while assuming the role
    expect(code).toBe(SMOKE_FAILED);
    expect(lines).toEqual([`✗ Smoke test FAILED for consumer "alpha": timed out after 50 ms while assuming role ${roleArn}`]);
    expect(lambdaFor).not.toHaveBeenCalled();
  });

  it('does not time out a run that finishes before the deadline', async () => {
    // GIVEN an invocation that takes 20 ms
    lambdaMock
      .on(InvokeCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ StatusCode: 200, Payload: payload(passingPayload) }), 20)));
    // WHEN the step runs with a 1 s deadline
    const { code } = await run({ timeoutMs: 1000 });
    // THEN it passes
    expect(code).toBe(SMOKE_PASSED);
  });
});

describe('roleSessionName', () => {
  it('is smoke-<consumer>-<timestamp>', () => {
    expect(roleSessionName('alpha', 1_732_000_000_000)).toBe('smoke-alpha-1732000000000');
  });

  it('keeps to the characters and length STS accepts', () => {
    const name = roleSessionName(`a consumer/with:odd*chars${'x'.repeat(80)}`, 1_732_000_000_000);
    expect(name).toMatch(/^smoke-[\w+=,.@-]+-1732000000000$/);
    expect(name.length).toBeLessThanOrEqual(64);
  });
});
