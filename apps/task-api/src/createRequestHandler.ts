import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from './logger';
import { TASKS } from './tasks';

/** State the server shares with the handler: while draining, responses close their connection. */
export interface HandlerState {
  draining: boolean;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const ALLOWED_METHODS = 'GET, HEAD';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** Ids are positive integers without sign, leading zero or exponent, and small enough to be exact. */
const TASK_ID = /^[1-9]\d{0,8}$/;
const TASK_PREFIX = '/api/task/';

/** The JSON error body every failure shares: `{"error":{"code":…,"message":…}}`. */
export function errorBody(code: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ error: { code, message } }));
}

// Bodies are serialized once: the responses are static, so no request pays for JSON.stringify.
const TASK_LIST_BODY = Buffer.from(JSON.stringify(TASKS));
const TASK_BODIES = new Map(TASKS.map((task) => [task.id, Buffer.from(JSON.stringify(task))]));
const HEALTH_BODY = Buffer.from('{"status":"ok"}');
const NOT_FOUND_ROUTE = errorBody('not_found', 'No such route');
const METHOD_NOT_ALLOWED = errorBody('method_not_allowed', `Only ${ALLOWED_METHODS} are allowed on this route`);
const BAD_TASK_ID = errorBody('invalid_task_id', 'Task id must be a positive whole number');
const INTERNAL_ERROR = errorBody('internal_error', 'Internal error');

function notFoundTask(id: number): Buffer {
  return errorBody('task_not_found', `Task ${id} does not exist`);
}

interface Reply {
  readonly status: number;
  readonly body: Buffer;
  readonly allow?: boolean;
}

/** Maps a path and method to a reply; pure, so every rule is testable without a socket. */
export function route(method: string, path: string): Reply {
  let body: Buffer | undefined;
  if (path === '/api/tasks') body = TASK_LIST_BODY;
  else if (path === '/healthz') body = HEALTH_BODY;
  else if (path.startsWith(TASK_PREFIX)) {
    const id = path.slice(TASK_PREFIX.length);
    if (id.includes('/')) return { status: 404, body: NOT_FOUND_ROUTE };
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: METHOD_NOT_ALLOWED, allow: true };
    if (!TASK_ID.test(id)) return { status: 400, body: BAD_TASK_ID };
    const numericId = Number(id);
    const task = TASK_BODIES.get(numericId);
    return task ? { status: 200, body: task } : { status: 404, body: notFoundTask(numericId) };
  } else return { status: 404, body: NOT_FOUND_ROUTE };
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: METHOD_NOT_ALLOWED, allow: true };
  return { status: 200, body };
}

/**
 * The task API's request handler: routes, JSON bodies and errors, security headers, request
 * ids and one structured access log line per request (health checks only at debug level).
 */
export function createRequestHandler(logger: Logger, state: HandlerState): RequestHandler {
  return (req, res) => {
    const started = performance.now();
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);

    let reply: Reply;
    try {
      reply = route(method, path);
    } catch (error) {
      // Unreachable by input: route() only compares strings. Logged, never shown to the client.
      logger.log('error', 'request handler failed', { requestId, error: String(error) });
      reply = { status: 500, body: INTERNAL_ERROR };
    }

    const headers: OutgoingHttpHeaders = {
      'content-type': JSON_CONTENT_TYPE,
      'content-length': reply.body.length,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': requestId,
    };
    if (reply.allow) headers['allow'] = ALLOWED_METHODS;
    if (state.draining) headers['connection'] = 'close';
    res.writeHead(reply.status, headers);
    res.end(method === 'HEAD' ? undefined : reply.body);

    const level = path === '/healthz' && reply.status === 200 ? 'debug' : 'info';
    if (logger.isEnabled(level)) {
      logger.log(level, 'request', {
        requestId,
        method,
        path,
        status: reply.status,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      });
    }
  };
}
