/**
 * Smoke-test Lambda handler, deployed into the consumer VPC. It calls the provider's task API
 * through the interface VPC endpoint's DNS name and reports, check by check, whether the API
 * answered exactly as its contract says. It is bundled alone: Node built-ins and global fetch only.
 *
 * The handler never throws: every problem (bad configuration, network error, timeout, wrong
 * answer) becomes a failed check, so the pipeline step that invokes it can print what came back.
 */

/** A JSON value, as `JSON.parse` returns it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

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

/** The provider's contract: each path and the exact JSON it must answer with status 200. */
export const EXPECTED_RESPONSES = {
  '/api/tasks': [
    { id: 1, name: 'task1', description: 'This is task 1' },
    { id: 2, name: 'task2', description: 'This is task 2' },
    { id: 3, name: 'task3', description: 'This is task 3' },
  ],
  '/api/task/2': { id: 2, name: 'task2', description: 'This is task 2' },
} as const satisfies Readonly<Record<string, JsonValue>>;

/** A path the smoke test requests. */
export type SmokePath = keyof typeof EXPECTED_RESPONSES;

/** Per-request timeout when `REQUEST_TIMEOUT_MS` is not set. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** Longest body kept in a check; longer bodies are cut and marked. */
export const MAX_BODY_CHARS = 500;

const SMOKE_PATHS = Object.keys(EXPECTED_RESPONSES) as SmokePath[];

/** Lambda entry point: reads `API_BASE_URL` and `REQUEST_TIMEOUT_MS` and runs every check. */
export async function handler(): Promise<SmokeResult> {
  const baseUrl = process.env['API_BASE_URL']?.trim() ?? '';
  try {
    const configProblem = baseUrlProblem(baseUrl);
    if (configProblem !== undefined) return failEveryCheck(baseUrl, configProblem);

    const timeoutText = process.env['REQUEST_TIMEOUT_MS']?.trim() ?? '';
    const timeoutMs = timeoutText === '' ? DEFAULT_REQUEST_TIMEOUT_MS : Number(timeoutText);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
      return failEveryCheck(baseUrl, `REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds (got "${timeoutText}")`);
    }
    return await runSmokeChecks(baseUrl, timeoutMs);
  } catch (error) {
    // runSmokeChecks catches per request; this is only a last line of defence.
    return failEveryCheck(baseUrl, `unexpected error: ${errorMessage(error)}`);
  }
}

/** Requests every path of {@link EXPECTED_RESPONSES} from `baseUrl`, each within `timeoutMs`. */
export async function runSmokeChecks(baseUrl: string, timeoutMs: number): Promise<SmokeResult> {
  const root = baseUrl.replace(/\/+$/, '');
  const checks = await Promise.all(SMOKE_PATHS.map((path) => runCheck(root, path, timeoutMs)));
  return { ok: checks.every((check) => check.ok), baseUrl, checks };
}

async function runCheck(root: string, path: SmokePath, timeoutMs: number): Promise<SmokeCheck> {
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
    const problems = answerProblems(path, response.status, contentType, text);
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

/** Every way a response differs from the contract; empty when it matches. */
function answerProblems(path: SmokePath, status: number, contentType: string | undefined, text: string): string[] {
  const problems: string[] = [];
  if (status !== 200) problems.push(`expected status 200, got ${status}`);

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
  const difference = jsonDifference(EXPECTED_RESPONSES[path], parsed, '$');
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

function failEveryCheck(baseUrl: string, problem: string): SmokeResult {
  return { ok: false, baseUrl, checks: SMOKE_PATHS.map((path) => ({ path, ok: false, durationMs: 0, problem })) };
}

