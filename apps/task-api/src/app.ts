import { tasks, type Task } from './tasks';

/**
 * The routing table of the service as a pure function: (method, path) -> a prepared response.
 * Every body is serialised once at module load, so answering a request allocates nothing here.
 */

export type RouteName = 'tasks' | 'task' | 'health' | 'ready' | 'none';

export interface RouteResult {
  readonly status: number;
  /** JSON body, UTF-8. */
  readonly body: Buffer;
  /** `String(body.length)`, precomputed for the Content-Length header. */
  readonly contentLength: string;
  /** Which route matched, for logging (`health` is logged at debug level only). */
  readonly route: RouteName;
  /** Value of the `Allow` header; set on 405 responses. */
  readonly allow?: string;
  /** Value of the `Retry-After` header; set on 503 responses. */
  readonly retryAfter?: string;
}

/** What a request asks the task store for, when the answer is not a constant. */
export type TaskLookup =
  | { readonly lookup: 'list' }
  | { readonly lookup: 'one'; readonly id: number }
  | { readonly lookup: 'ready' };

/** Error codes of the `{"error":{"code","message"}}` body. */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_id'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'expectation_failed'
  | 'headers_too_large'
  | 'internal_error'
  | 'service_unavailable';

export const ALLOWED_METHODS = 'GET, HEAD';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function errorBody(code: ErrorCode, message: string): Buffer {
  return Buffer.from(JSON.stringify({ error: { code, message } }), 'utf8');
}

function prepared(status: number, body: Buffer, route: RouteName, allow?: string, retryAfter?: string): RouteResult {
  const result: RouteResult =
    allow === undefined
      ? { status, body, contentLength: String(body.length), route }
      : { status, body, contentLength: String(body.length), route, allow };
  return Object.freeze(retryAfter === undefined ? result : { ...result, retryAfter });
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

const TASKS = prepared(200, json(tasks), 'tasks');
const TASK_BY_ID: ReadonlyMap<number, RouteResult> = new Map(tasks.map((task) => [task.id, prepared(200, json(task), 'task')]));
const HEALTH = prepared(200, json({ status: 'ok' }), 'health');
const READY = prepared(200, json({ status: 'ready' }), 'ready');
const LIST_LOOKUP: TaskLookup = Object.freeze({ lookup: 'list' });
const READY_LOOKUP: TaskLookup = Object.freeze({ lookup: 'ready' });
const UNAVAILABLE_BODY = errorBody('service_unavailable', 'The task store is unavailable; retry later');
/** Seconds; a database blip is usually over by then, and pg-pool has reconnected. */
const RETRY_AFTER_S = '1';

const METHOD_NOT_ALLOWED_BODY = errorBody('method_not_allowed', `Method not allowed; allowed: ${ALLOWED_METHODS}`);
const METHOD_NOT_ALLOWED: Readonly<Record<Exclude<RouteName, 'none'>, RouteResult>> = {
  tasks: prepared(405, METHOD_NOT_ALLOWED_BODY, 'tasks', ALLOWED_METHODS),
  task: prepared(405, METHOD_NOT_ALLOWED_BODY, 'task', ALLOWED_METHODS),
  health: prepared(405, METHOD_NOT_ALLOWED_BODY, 'health', ALLOWED_METHODS),
  ready: prepared(405, METHOD_NOT_ALLOWED_BODY, 'ready', ALLOWED_METHODS),
};

export const RESULTS = Object.freeze({
  routeNotFound: prepared(404, errorBody('not_found', 'Route not found'), 'none'),
  taskNotFound: prepared(404, errorBody('not_found', 'Task not found'), 'task'),
  invalidId: prepared(400, errorBody('invalid_id', 'Task id must be a positive integer'), 'task'),
  badTarget: prepared(400, errorBody('bad_request', 'Malformed request target'), 'none'),
  missingHost: prepared(400, errorBody('bad_request', 'Missing Host header'), 'none'),
  expectationFailed: prepared(417, errorBody('expectation_failed', 'Unsupported Expect header'), 'none'),
  internalError: prepared(500, errorBody('internal_error', 'Internal server error'), 'none'),
  tasksUnavailable: prepared(503, UNAVAILABLE_BODY, 'tasks', undefined, RETRY_AFTER_S),
  taskUnavailable: prepared(503, UNAVAILABLE_BODY, 'task', undefined, RETRY_AFTER_S),
  /** Readiness with a database: see the task-api README ("Health checks"). */
  readyDatabaseOk: prepared(200, json({ status: 'ready', database: 'ok' }), 'ready'),
  readyDatabaseDown: prepared(200, json({ status: 'degraded', database: 'unavailable' }), 'ready'),
  notReadyStarting: prepared(503, json({ status: 'starting', database: 'migrating' }), 'ready', undefined, RETRY_AFTER_S),
  notReadyDraining: prepared(503, json({ status: 'draining' }), 'ready'),
});

/** The 200 for a task list read from the store; same bytes as the in-memory one. */
export function tasksResult(list: readonly Task[]): RouteResult {
  return prepared(200, json(list.map(({ id, name, description }) => ({ id, name, description }))), 'tasks');
}

/** The 200 (or 404) for one task read from the store; same bytes as the in-memory one. */
export function taskResult(task: Task | undefined): RouteResult {
  if (task === undefined) return RESULTS.taskNotFound;
  return prepared(200, json({ id: task.id, name: task.name, description: task.description }), 'task');
}

export function isLookup(routed: RouteResult | TaskLookup): routed is TaskLookup {
  return 'lookup' in routed;
}

const TASK_PREFIX = '/api/task/';
/** Canonical decimal: no sign, no leading zero, no exponent, no fraction, no percent-encoding. */
const ID_PATTERN = /^[1-9][0-9]{0,15}$/;
/** absolute-form request target (RFC 9112 §3.2.2): scheme://authority[/path][?query]. */
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*(\/[^?#]*)?/i;

/**
 * The path of a request target without its query string, or `undefined` when the target is neither
 * origin-form (`/path?query`) nor absolute-form (`http://host/path`), e.g. `*`.
 */
export function requestPath(url: string): string | undefined {
  if (url.charCodeAt(0) === 0x2f /* "/" */) {
    const query = url.indexOf('?');
    return query === -1 ? url : url.slice(0, query);
  }
  const match = ABSOLUTE_FORM.exec(url);
  if (match === null) return undefined;
  return match[1] ?? '/';
}

/** Parses a task id path segment; `undefined` when it is not a canonical positive safe integer. */
export function parseTaskId(segment: string): number | undefined {
  if (!ID_PATTERN.test(segment)) return undefined;
  const id = Number(segment);
  return Number.isSafeInteger(id) ? id : undefined;
}

function isReadMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD';
}

/**
 * Routes a request. `path` comes from {@link requestPath}. Unknown routes are 404 whatever the
 * method; a known route with another method than GET/HEAD is 405, checked before the id. What
 * needs the task store comes back as a {@link TaskLookup}.
 */
export function routeRequest(method: string | undefined, path: string | undefined): RouteResult | TaskLookup {
  if (path === undefined) return RESULTS.badTarget;

  if (path === '/api/tasks') {
    return isReadMethod(method) ? LIST_LOOKUP : METHOD_NOT_ALLOWED.tasks;
  }

  if (path.startsWith(TASK_PREFIX)) {
    const segment = path.slice(TASK_PREFIX.length);
    if (segment.includes('/')) return RESULTS.routeNotFound;
    if (!isReadMethod(method)) return METHOD_NOT_ALLOWED.task;
    const id = parseTaskId(segment);
    if (id === undefined) return RESULTS.invalidId;
    return { lookup: 'one', id };
  }

  if (path === '/healthz') {
    return isReadMethod(method) ? HEALTH : METHOD_NOT_ALLOWED.health;
  }

  if (path === '/readyz') {
    return isReadMethod(method) ? READY_LOOKUP : METHOD_NOT_ALLOWED.ready;
  }

  return RESULTS.routeNotFound;
}

/** {@link routeRequest} answered from the built-in tasks (no store): prepared responses only. */
export function route(method: string | undefined, path: string | undefined): RouteResult {
  const routed = routeRequest(method, path);
  if (!isLookup(routed)) return routed;
  switch (routed.lookup) {
    case 'list':
      return TASKS;
    case 'one':
      return TASK_BY_ID.get(routed.id) ?? RESULTS.taskNotFound;
    case 'ready':
      return READY;
  }
}
