/**
 * The payload the consumer's smoke-test function returns, as the pipeline sees it. The consumer
 * project owns the real type; the pipeline may not import it, so it checks the shape at runtime
 * and keeps only the fields it prints.
 */

/** One request the smoke function made. */
export interface SmokePayloadCheck {
  readonly path: string;
  readonly ok: boolean;
  readonly status?: number;
  readonly contentType?: string;
  readonly durationMs: number;
  readonly problem?: string;
  readonly body?: string;
}

/** The smoke function's answer. */
export interface SmokePayload {
  readonly ok: boolean;
  readonly baseUrl: string;
  readonly checks: readonly SmokePayloadCheck[];
}

/** A parsed payload, or why it is not one. */
export type SmokePayloadParse =
  | { readonly valid: true; readonly payload: SmokePayload }
  | { readonly valid: false; readonly problem: string };

type JsonObject = Readonly<Record<string, unknown>>;

/** Parses the function's JSON payload and checks its shape; never throws. */
export function parseSmokePayload(text: string): SmokePayloadParse {
  if (text.trim() === '') return invalid('the payload is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid('the payload is not JSON');
  }
  if (!isObject(value)) return invalid('the payload is not a JSON object');

  const problems: string[] = [];
  const ok = field(value, 'ok', 'boolean', '', problems);
  const baseUrl = field(value, 'baseUrl', 'string', '', problems);
  const rawChecks = value['checks'];
  const checks: SmokePayloadCheck[] = [];
  if (!Array.isArray(rawChecks)) {
    problems.push('checks must be an array');
  } else if (rawChecks.length === 0) {
    problems.push('checks must not be empty');
  } else {
    for (const [index, rawCheck] of rawChecks.entries()) {
      const at = `checks[${index}].`;
      if (!isObject(rawCheck)) {
        problems.push(`checks[${index}] must be an object`);
        continue;
      }
      const check: SmokePayloadCheck = {
        path: field(rawCheck, 'path', 'string', at, problems) ?? '',
        ok: field(rawCheck, 'ok', 'boolean', at, problems) ?? false,
        durationMs: field(rawCheck, 'durationMs', 'number', at, problems) ?? 0,
        status: optionalField(rawCheck, 'status', 'number', at, problems),
        contentType: optionalField(rawCheck, 'contentType', 'string', at, problems),
        problem: optionalField(rawCheck, 'problem', 'string', at, problems),
        body: optionalField(rawCheck, 'body', 'string', at, problems),
      };
      checks.push(check);
    }
  }
  if (problems.length > 0 || ok === undefined || baseUrl === undefined) {
    return invalid(problems.join('; '));
  }
  return { valid: true, payload: { ok, baseUrl, checks } };
}

interface TypeNames {
  boolean: boolean;
  number: number;
  string: string;
}

function field<K extends keyof TypeNames>(
  object: JsonObject,
  key: string,
  type: K,
  at: string,
  problems: string[],
): TypeNames[K] | undefined {
  const value = object[key];
  if (typeof value === type) return value as TypeNames[K];
  problems.push(`${at}${key} must be a ${type} (got ${describe(value)})`);
  return undefined;
}

/** Absent and null both mean "not known"; anything else must have the type. */
function optionalField<K extends keyof TypeNames>(
  object: JsonObject,
  key: string,
  type: K,
  at: string,
  problems: string[],
): TypeNames[K] | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  return field(object, key, type, at, problems);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function invalid(problem: string): SmokePayloadParse {
  return { valid: false, problem };
}
