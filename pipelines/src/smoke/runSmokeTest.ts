/**
 * Pipeline step run after a consumer stage deploys: proves the private path end to end from
 * inside the consumer VPC. It assumes a role in the consumer account, invokes the smoke-test
 * function there (which calls the provider's API through the interface VPC endpoint) and turns
 * its answer into an exit code and a short report. It never throws and never prints a stack trace.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { assumeRole, type AssumedCredentials } from '../cli/assumeRole';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { parseSmokePayload, type SmokePayload, type SmokePayloadCheck } from './parseSmokePayload';

export interface SmokeTestOptions {
  /** Consumer name, used in every message. */
  readonly consumer: string;
  /** Role in the consumer account the pipeline may assume. */
  readonly roleArn: string;
  /** The smoke function in the consumer account (name or ARN). */
  readonly functionName: string;
  readonly region: string;
  /** Overall deadline for assuming the role and invoking the function; default {@link DEFAULT_SMOKE_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  readonly sts: STSClient;
  readonly lambdaFor: (credentials: AssumedCredentials, region: string) => LambdaClient;
  /** Receives the report, one line per call. */
  readonly write: (line: string) => void;
}

export const DEFAULT_SMOKE_TIMEOUT_MS = 60_000;

/** Lifetime of the assumed-role session (the STS minimum). */
export const SESSION_DURATION_SECONDS = 900;

/** Exit codes of the step. */
export const SMOKE_PASSED = 0;
export const SMOKE_FAILED = 1;

/** Longest payload or body echoed in a report line. */
const MAX_ECHO_CHARS = 1000;

type Outcome =
  | { readonly passed: true; readonly payload: SmokePayload }
  | { readonly passed: false; readonly headline: string; readonly details: readonly string[] };

/** Runs the smoke test for one consumer and reports it through `write`; resolves to the exit code. */
export async function runSmokeTest(options: SmokeTestOptions): Promise<number> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SMOKE_TIMEOUT_MS;
  const controller = new AbortController();
  const progress = { stage: `assuming role ${options.roleArn}` };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(failure(`timed out after ${timeoutMs} ms while ${progress.stage}`));
    }, timeoutMs);
  });

  let outcome: Outcome;
  try {
    outcome = await Promise.race([smokeSteps(options, controller.signal, progress), deadline]);
  } catch (error) {
    // smokeSteps catches everything it expects; this keeps the "never throws" promise.
    outcome = failure(`unexpected error: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
  }
  return report(options, outcome);
}

async function smokeSteps(options: SmokeTestOptions, signal: AbortSignal, progress: { stage: string }): Promise<Outcome> {
  const { consumer, roleArn, functionName, region } = options;

  const assumed = await assumeRole(options.sts, {
    roleArn,
    sessionName: roleSessionName(consumer, Date.now()),
    durationSeconds: SESSION_DURATION_SECONDS,
    abortSignal: signal,
    describe: describeError,
  });
  if ('problem' in assumed) return failure(assumed.problem);
  const { credentials } = assumed;

  progress.stage = `invoking function ${functionName} in ${region}`;
  let lambda: LambdaClient;
  try {
    lambda = options.lambdaFor(credentials, region);
  } catch (error) {
    return failure(`could not create a Lambda client for ${region}: ${describeError(error)}`);
  }
  try {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode('{}'),
      }),
      { abortSignal: signal },
    );
    const text = response.Payload === undefined ? '' : new TextDecoder().decode(response.Payload);

    if (response.FunctionError !== undefined) {
      return failure(`function ${functionName} failed (${response.FunctionError})`, [
        `error payload: ${echo(functionErrorPayload(text))}`,
      ]);
    }
    if (response.StatusCode !== undefined && response.StatusCode !== 200) {
      return failure(`invoking function ${functionName} returned status ${response.StatusCode}, expected 200`, [
        `payload: ${echo(text)}`,
      ]);
    }

    const parsed = parseSmokePayload(text);
    if (!parsed.valid) {
      return failure(`function ${functionName} returned a malformed payload: ${parsed.problem}`, [`payload: ${echo(text)}`]);
    }
    const { payload } = parsed;
    if (payload.ok && payload.checks.every((check) => check.ok)) return { passed: true, payload };

    const failed = payload.checks.filter((check) => !check.ok).length;
    const headline =
      failed === 0
        ? `the API did not answer as expected through ${payload.baseUrl} (the function reported ok: false)`
        : `the API did not answer as expected through ${payload.baseUrl} (${failed} of ${payload.checks.length} checks failed)`;
    return failure(headline, payload.checks.flatMap(checkLines));
  } catch (error) {
    return failure(`could not invoke function ${functionName} in ${region}: ${describeError(error)}`);
  } finally {
    lambda.destroy();
  }
}

function report(options: SmokeTestOptions, outcome: Outcome): number {
  const who = `consumer "${options.consumer}"`;
  if (outcome.passed) {
    const { payload } = outcome;
    options.write(
      `Smoke test passed for ${who}: function ${options.functionName} (${options.region}) reached ${payload.baseUrl}`,
    );
    for (const check of payload.checks) options.write(`  ${passLine(check)}`);
    return SMOKE_PASSED;
  }
  options.write(`✗ Smoke test FAILED for ${who}: ${outcome.headline}`);
  for (const line of outcome.details) options.write(`  ${line}`);
  return SMOKE_FAILED;
}

/** Report lines for one check: a ✓ line when it passed, what came back when it failed. */
function checkLines(check: SmokePayloadCheck): string[] {
  if (check.ok) return [passLine(check)];
  const lines = [`✗ GET ${check.path}: ${check.problem ?? 'failed (no problem reported)'}`];
  const contentType = check.contentType === undefined ? '' : `, content-type: ${check.contentType}`;
  lines.push(`    status: ${check.status ?? 'none (no response)'}${contentType}, after ${check.durationMs} ms`);
  if (check.body !== undefined) lines.push(`    body: ${echo(check.body)}`);
  return lines;
}

function passLine(check: SmokePayloadCheck): string {
  return `✓ GET ${check.path}${check.status === undefined ? '' : ` ${check.status}`} (${check.durationMs} ms)`;
}

/** `smoke-<consumer>-<timestamp>`, restricted to what STS accepts (`[\w+=,.@-]`, at most 64 characters). */
export function roleSessionName(consumer: string, timestamp: number): string {
  const suffix = `-${timestamp}`;
  const name = consumer.replace(/[^\w+=,.@-]/g, '-').slice(0, 64 - 'smoke-'.length - suffix.length);
  return `smoke-${name}${suffix}`;
}

/** The function's error payload without its stack trace. */
function functionErrorPayload(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'trace' in value) {
      return JSON.stringify(Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'trace')));
    }
  } catch {
    // not JSON: print it as it came
  }
  return text;
}

/** `Name: message` of an SDK or other error, on one line, without its stack. */
function describeError(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message.trim() || '(no message)';
    const text = error.name && error.name !== 'Error' && !message.startsWith(error.name) ? `${error.name}: ${message}` : message;
    return oneLine(text);
  }
  return oneLine(String(error));
}

/** Text echoed from the consumer side: one line, cut when long. */
function echo(text: string): string {
  if (text === '') return '(empty)';
  const line = oneLine(text);
  return line.length > MAX_ECHO_CHARS ? `${line.slice(0, MAX_ECHO_CHARS)}… (truncated)` : line;
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '\\n');
}

function failure(headline: string, details: readonly string[] = []): Outcome {
  return { passed: false, headline, details };
}
