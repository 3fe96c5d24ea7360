/**
 * Smoke-test Lambda handler, deployed into the consumer VPC. It calls the provider's API
 * through the interface VPC endpoint's DNS name and reports, check by check, whether the API
 * answered as the configured checks (`service.smokeChecks`, passed in `SMOKE_CHECKS`) say. It is bundled alone: Node built-ins and global fetch only.
 *
 * The handler never throws: every problem (bad configuration, network error, timeout, wrong
 * answer) becomes a failed check, so the pipeline step that invokes it can print what came back.
 */

// Types only (erased when the handler is bundled, so it stays free of dependencies): the checks
// are the config's `service.smokeChecks`, one definition for the schema, the stack and the handler.
import type { JsonValue, SmokeCheckConfig } from '@private-api/config';

export type { JsonValue } from '@private-api/config';

/** The outcome of one request. */
export interface SmokeCheck {
  /** Request path, e.g. `/api/tasks`. */
  readonly path: string;
  readonly ok: boolean;
  /** HTTP status, absent when no response came back. */
  readonly status?: number;
  /** The `content-type` response header, absent when there was none. */
  readonly contentType?: string;
  /** Time from sending the request to reading the whole body (or failing). */
  readonly durationMs: number;
  /** Every way the answer differs from the contract, `; `-separated; absent when ok. */
  readonly problem?: string;
  /** Response body, truncated to {@link MAX_BODY_CHARS} characters. */
  readonly body?: string;
}

/** What the handler returns: ok only when every check is ok. */
export interface SmokeResult {
  readonly ok: boolean;
  readonly baseUrl: string;
  readonly checks: readonly SmokeCheck[];
}

/** One configured request: the path, the status it must answer with and, optionally, the exact JSON body. */
export type SmokeCheckSpec = SmokeCheckConfig;

/** Per-request timeout when `REQUEST_TIMEOUT_MS` is not set. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** Longest body kept in a check; longer bodies are cut and marked. */
export const MAX_BODY_CHARS = 500;

/** The path reported for the single failed check when `SMOKE_CHECKS` names no usable path. */
export const SMOKE_CHECKS_VARIABLE = 'SMOKE_CHECKS';

/**
 * Lambda entry point: reads `SMOKE_CHECKS` (a JSON array of {@link SmokeCheckSpec}),
 * `API_BASE_URL` and `REQUEST_TIMEOUT_MS`, and runs every check.
 */
export async function handler(): Promise<SmokeResult> {
  const baseUrl = process.env['API_BASE_URL']?.trim() ?? '';
  const parsed = parseSmokeChecks(process.env[SMOKE_CHECKS_VARIABLE]);
  const paths = parsed.paths.length > 0 ? parsed.paths : [SMOKE_CHECKS_VARIABLE];
  try {
    if (parsed.problem !== undefined) return failEveryCheck(baseUrl, paths, parsed.problem);
    const configProblem = baseUrlProblem(baseUrl);
    if (configProblem !== undefined) return failEveryCheck(baseUrl, paths, configProblem);

    const timeoutText = process.env['REQUEST_TIMEOUT_MS']?.trim() ?? '';
    const timeoutMs = timeoutText === '' ? DEFAULT_REQUEST_TIMEOUT_MS : Number(timeoutText);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
      return failEveryCheck(baseUrl, paths, `REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds (got "${timeoutText}")`);
    }
    return await runSmokeChecks(baseUrl, parsed.checks, timeoutMs);
  } catch (error) {
    // runSmokeChecks catches per request; this is only a last line of defence.
    return failEveryCheck(baseUrl, paths, `unexpected error: ${errorMessage(error)}`);
  }
}

/**
 * Reads the checks from the `SMOKE_CHECKS` value. On any problem, `problem` says every way it
 * is wrong and `paths` lists the paths it could still read (so each can be reported failed).
 */
export function parseSmokeChecks(text: string | undefined): {
  readonly checks: readonly SmokeCheckSpec[];
  readonly paths: readonly string[];
  readonly problem?: string;
} {
  if (text === undefined || text.trim() === '') {
    return { checks: [], paths: [], problem: `${SMOKE_CHECKS_VARIABLE} is not set: it must be a JSON array of {path, status, body?} (set by the stack from service.smokeChecks)` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { checks: [], paths: [], problem: `${SMOKE_CHECKS_VARIABLE} is not valid JSON (got ${quote(text)})` };
  }
  if (!Array.isArray(value) || value.length === 0) {
    return { checks: [], paths: [], problem: `${SMOKE_CHECKS_VARIABLE} must be a non-empty JSON array of {path, status, body?} (got ${quote(text)})` };
  }
  const problems: string[] = [];
  const checks: SmokeCheckSpec[] = [];
  const paths: string[] = [];
  for (const [index, entry] of value.entries()) {
    const at = `${SMOKE_CHECKS_VARIABLE}[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${at} must be an object {path, status, body?} (got ${describeUnknown(entry)})`);
      continue;
    }
    const { path, status, body } = entry as { path?: unknown; status?: unknown; body?: unknown };
    const entryProblems: string[] = [];
    if (typeof path !== 'string' || !/^\/[\x21-\x7e]{0,1023}$/.test(path)) {
      entryProblems.push(`${at}.path must be a URL path starting with / (got ${describeUnknown(path)})`);
    } else {
      paths.push(path);
    }
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      entryProblems.push(`${at}.status must be an HTTP status between 100 and 599 (got ${describeUnknown(status)})`);
    }
    problems.push(...entryProblems);
    if (entryProblems.length === 0 && typeof path === 'string' && typeof status === 'number') {
      // `body` came out of JSON.parse, so it is JSON whenever it is present.
      checks.push(body === undefined ? { path, status } : { path, status, body: body as JsonValue });
    }
  }
  return problems.length === 0 ? { checks, paths } : { checks: [], paths, problem: problems.join('; ') };
}

/** Runs every check against `baseUrl`, each request within `timeoutMs`. */
export async function runSmokeChecks(
  baseUrl: string,
  checks: readonly SmokeCheckSpec[],
  timeoutMs: number,
): Promise<SmokeResult> {
  const root = baseUrl.replace(/\/+$/, '');
  const results = await Promise.all(checks.map((check) => runCheck(root, check, timeoutMs)));
  // No check is no evidence: an empty list never passes.
  return { ok: results.length > 0 && results.every((check) => check.ok), baseUrl, checks: results };
}

async function runCheck(root: string, spec: SmokeCheckSpec, timeoutMs: number): Promise<SmokeCheck> {
  const { path } = spec;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let status: number | undefined;
  let contentType: string | undefined;
  try {
    const response = await fetch(`${root}${path}`, {
      method: 'GET',
      headers: { accept: 'application/json' },
      // A redirect would mean something other than the provider answered: report it, do not follow it.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    contentType = response.headers.get('content-type') ?? undefined;
    const text = await response.text();
    const problems = answerProblems(spec, response.status, contentType, text);
    return {
      path,
      ok: problems.length === 0,
      status,
      contentType,
      durationMs: elapsed(),
      problem: problems.length === 0 ? undefined : problems.join('; '),
      body: truncate(text),
    };
  } catch (error) {
    return {
      path,
      ok: false,
      status,
      contentType,
      durationMs: elapsed(),
      problem: requestErrorMessage(error, timeoutMs, status !== undefined),
    };
  }
}

/** Every way a response differs from its check; empty when it matches. */
function answerProblems(spec: SmokeCheckSpec, status: number, contentType: string | undefined, text: string): string[] {
  const problems: string[] = [];
  if (status !== spec.status) problems.push(`expected status ${spec.status}, got ${status}`);
  // Without an expected body, the status is the whole contract.
  if (spec.body === undefined) return problems;

  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    problems.push(
      contentType === undefined
        ? 'no content-type header, expected application/json'
        : `content-type is "${contentType}", expected application/json`,
    );
  }

  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    problems.push(text.trim() === '' ? 'body is empty, expected JSON' : 'body is not valid JSON');
    return problems;
  }
  const difference = jsonDifference(spec.body, parsed, '$');
  if (difference !== undefined) problems.push(`body does not match the contract: ${difference}`);
  return problems;
}

/**
 * The first difference between `expected` and `actual`, described with its JSON path, or
 * undefined when they are deeply equal (same types, same values, same key sets, same order).
 */
export function jsonDifference(expected: JsonValue, actual: JsonValue, path = '$'): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${describe(actual)}`;
    if (actual.length !== expected.length) {
      return `${path}: expected ${expected.length} items, got ${actual.length}`;
    }
    for (const [index, item] of expected.entries()) {
      const difference = jsonDifference(item, actual[index] ?? null, `${path}[${index}]`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  if (isJsonObject(expected)) {
    if (!isJsonObject(actual)) return `${path}: expected an object, got ${describe(actual)}`;
    const missing = Object.keys(expected).filter((key) => !Object.hasOwn(actual, key));
    if (missing.length > 0) return `${path}: missing key(s) ${missing.map((key) => `"${key}"`).join(', ')}`;
    const unexpected = Object.keys(actual).filter((key) => !Object.hasOwn(expected, key));
    if (unexpected.length > 0) return `${path}: unexpected key(s) ${unexpected.map((key) => `"${key}"`).join(', ')}`;
    for (const [key, value] of Object.entries(expected)) {
      const difference = jsonDifference(value, actual[key] ?? null, `${path}.${key}`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${describe(actual)}`;
}

function isJsonObject(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function requestErrorMessage(error: unknown, timeoutMs: number, gotHeaders: boolean): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return gotHeaders
      ? `timed out after ${timeoutMs} ms while reading the body`
      : `timed out after ${timeoutMs} ms waiting for a response`;
  }
  return `request failed: ${errorMessage(error)}`;
}

/** `message` plus the causes fetch hides behind "fetch failed" (e.g. `connect ECONNREFUSED …`). */
function errorMessage(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    parts.push(current instanceof Error ? current.message || current.name : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
}

function truncate(text: string): string {
  return text.length <= MAX_BODY_CHARS
    ? text
    : `${text.slice(0, MAX_BODY_CHARS)}… (truncated, ${text.length} characters in all)`;
}

function baseUrlProblem(baseUrl: string): string | undefined {
  if (baseUrl === '') return 'API_BASE_URL is not set: it must be the base URL of the VPC endpoint, e.g. http://vpce-….vpce.amazonaws.com:80';
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return `API_BASE_URL is not a valid URL (got "${baseUrl}")`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `API_BASE_URL must be an http or https URL (got "${baseUrl}")`;
  }
  return undefined;
}

function failEveryCheck(baseUrl: string, paths: readonly string[], problem: string): SmokeResult {
  return { ok: false, baseUrl, checks: paths.map((path) => ({ path, ok: false, durationMs: 0, problem })) };
}

function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text);
}

function describeUnknown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

