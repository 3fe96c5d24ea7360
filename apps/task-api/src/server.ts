import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ALLOWED_METHODS,
  errorBody,
  isLookup,
  JSON_CONTENT_TYPE,
  RESULTS,
  requestPath,
  route,
  routeRequest,
  taskResult,
  tasksResult,
  type ErrorCode,
  type RouteResult,
  type TaskLookup,
} from './app';
import type { Config } from './config';
import type { Logger } from './logger';
import { newRequestId } from './requestId';
import { StoreUnavailableError, type TaskStore } from './taskStore';

/** The subset of {@link Config} the HTTP server needs. */
export type ServerConfig = Pick<Config, 'port' | 'host' | 'shutdownTimeoutMs' | 'keepAliveTimeoutMs' | 'headersTimeoutMs'>;

export interface TaskApiServerOptions {
  /**
   * Test seam, never set in production: awaited after routing and before the response is written,
   * so tests can hold a request in flight (e.g. across a graceful shutdown).
   */
  readonly beforeRespond?: (req: IncomingMessage) => Promise<void>;
  /**
   * Where the tasks come from (PostgreSQL). Without one, the built-in tasks are served from
   * prepared responses. The server does not own the store: the caller closes it after `close()`.
   */
  readonly store?: TaskStore;
}

export interface CloseResult {
  /** True when in-flight requests outlived `shutdownTimeoutMs` and their connections were cut. */
  readonly forced: boolean;
  readonly durationMs: number;
}

export interface TaskApiServer {
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** Binds `config.host:config.port`; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** Graceful shutdown; idempotent (every call returns the same promise). */
  close(): Promise<CloseResult>;
  address(): AddressInfo | null;
  readonly draining: boolean;
}

/** An incoming X-Request-Id is echoed only if it is this sane; otherwise a UUID is generated. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_LOGGED_PATH = 256;
/** How often idle keep-alive connections are swept while draining. */
const DRAIN_SWEEP_MS = 100;
/** A socket answered from 'clientError'/'connect' gets this long to read the reply before it is cut. */
const REJECTED_SOCKET_LINGER_MS = 1_000;

function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newRequestId();
}

function loggedPath(path: string): string {
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}

function elapsedMs(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}

interface RawError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Maps an HTTP parser error (the 'clientError' event) to the response Node would send, as JSON. */
function rawErrorFor(errorCode: string | undefined): RawError {
  switch (errorCode) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'Request header fields too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'Request timeout' };
    default:
      return { status: 400, code: 'bad_request', message: 'Malformed HTTP request' };
  }
}

/** A complete HTTP/1.1 response for a socket that has no ServerResponse (parser errors, CONNECT). */
function rawResponse(error: RawError, requestId: string, extraHeaders = ''): string {
  const body = errorBody(error.code, error.message).toString('utf8');
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
    `Content-Type: ${JSON_CONTENT_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'X-Content-Type-Options: nosniff\r\n' +
    'Cache-Control: no-store\r\n' +
    `X-Request-Id: ${requestId}\r\n` +
    extraHeaders +
    `Date: ${new Date().toUTCString()}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

function endRawSocket(socket: Duplex, response: string): void {
  socket.end(response);
  // The peer normally closes on its side after reading; do not let a silent one hold the socket.
  setTimeout(() => socket.destroy(), REJECTED_SOCKET_LINGER_MS).unref();
}

/**
 * The task API as a `node:http` server with production behaviour: JSON everywhere (including
 * parser-level errors), security headers, request ids, access logs, ALB-friendly timeouts and a
 * graceful, bounded shutdown.
 */
export function createTaskApiServer(config: ServerConfig, logger: Logger, options: TaskApiServerOptions = {}): TaskApiServer {
  const { beforeRespond, store } = options;
  let draining = false;
  let closing: Promise<CloseResult> | undefined;

  const server = createServer({
    // Node's own answer to a missing Host header is a bare 400; ours is JSON (see handleRequest).
    requireHostHeader: false,
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.headersTimeoutMs,
  });
  server.keepAliveTimeout = config.keepAliveTimeoutMs;

  function send(req: IncomingMessage, res: ServerResponse, result: RouteResult, requestId: string, path: string, start: number): void {
    // The client went away, or a forced shutdown cut the connection, while the handler ran.
    // (Not `res.socket`: it stays null while a pipelined response waits for the one before it.)
    if (res.destroyed || req.socket.destroyed) {
      logger.info('request aborted', { method: req.method, path: loggedPath(path), requestId, durationMs: elapsedMs(start) });
      return;
    }
    const headers = [
      'Content-Type',
      JSON_CONTENT_TYPE,
      'Content-Length',
      result.contentLength,
      'X-Content-Type-Options',
      'nosniff',
      'Cache-Control',
      'no-store',
      'X-Request-Id',
      requestId,
    ];
    if (result.allow !== undefined) headers.push('Allow', result.allow);
    if (result.retryAfter !== undefined) headers.push('Retry-After', result.retryAfter);
    if (draining) headers.push('Connection', 'close');
    res.writeHead(result.status, headers);
    if (req.method === 'HEAD') res.end();
    else res.end(result.body);

    const level = (result.route === 'health' || result.route === 'ready') && result.status === 200 ? 'debug' : result.status >= 500 ? 'error' : 'info';
    if (logger.isLevelEnabled(level)) {
      logger.access(level, { method: req.method, path: loggedPath(path), status: result.status, durationMs: elapsedMs(start), requestId });
    }
  }

  function fail(req: IncomingMessage, res: ServerResponse, err: unknown, requestId: string, path: string, start: number): void {
    logger.error('unhandled error', { err, method: req.method, path: loggedPath(path), requestId });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    try {
      send(req, res, RESULTS.internalError, requestId, path, start);
    } catch {
      res.destroy();
    }
  }

  /** Answers a lookup from the store; a store failure is a 503, never a hang or a 500. */
  async function lookUp(taskStore: TaskStore, lookup: TaskLookup, requestId: string): Promise<RouteResult> {
    if (lookup.lookup === 'ready') {
      if (draining) return RESULTS.notReadyDraining;
      if (!taskStore.ready) return RESULTS.notReadyStarting;
      return (await taskStore.ping()) ? RESULTS.readyDatabaseOk : RESULTS.readyDatabaseDown;
    }
    try {
      return lookup.lookup === 'list' ? tasksResult(await taskStore.listTasks()) : taskResult(await taskStore.getTask(lookup.id));
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      logger.warn('task store unavailable', { reason: err.message, requestId });
      return lookup.lookup === 'list' ? RESULTS.tasksUnavailable : RESULTS.taskUnavailable;
    }
  }

  /** `fixed` short-circuits routing (used for the 417 answer to an unsupported `Expect`). */
  function handleRequest(req: IncomingMessage, res: ServerResponse, fixed?: RouteResult): void {
    const start = performance.now();
    const requestId = requestIdOf(req);
    const url = req.url ?? '';
    let path = url;
    try {
      const target = requestPath(url);
      if (target !== undefined) path = target;
      // HTTP/1.1 requires Host; Node's own check (disabled above) would answer with a bare 400.
      const missingHost = req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined;
      const routedPath = path;
      if (store !== undefined && fixed === undefined && !missingHost) {
        const routed = routeRequest(req.method, target);
        if (isLookup(routed)) {
          lookUp(store, routed, requestId).then(
            (result) => respond(req, res, result, requestId, routedPath, start),
            (err: unknown) => fail(req, res, err, requestId, routedPath, start),
          );
          return;
        }
        respond(req, res, routed, requestId, routedPath, start);
        return;
      }
      let result = fixed ?? (missingHost ? RESULTS.missingHost : route(req.method, target));
      if (draining && result.route === 'ready' && result.status === 200) result = RESULTS.notReadyDraining;
      respond(req, res, result, requestId, routedPath, start);
    } catch (err) {
      fail(req, res, err, requestId, path, start);
    }
  }

  /** Sends now, or after the test seam when one is set. */
  function respond(req: IncomingMessage, res: ServerResponse, result: RouteResult, requestId: string, routedPath: string, start: number): void {
    try {
      if (beforeRespond === undefined) {
        send(req, res, result, requestId, routedPath, start);
        return;
      }
      beforeRespond(req).then(
        () => {
          try {
            send(req, res, result, requestId, routedPath, start);
          } catch (err) {
            fail(req, res, err, requestId, routedPath, start);
          }
        },
        (err: unknown) => fail(req, res, err, requestId, routedPath, start),
      );
    } catch (err) {
      fail(req, res, err, requestId, routedPath, start);
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => handleRequest(req, res));
  // Node answers an unsupported `Expect` with a bare 417; answer it as JSON instead.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => handleRequest(req, res, RESULTS.expectationFailed));

  // Parser-level errors (malformed request line, oversized headers, header timeout) have no
  // request/response objects; Node's default reply is a bare status line. Reply with JSON.
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable || (inFlight?.headersSent ?? false)) {
      socket.destroy();
      return;
    }
    const error = rawErrorFor(err.code);
    const requestId = newRequestId();
    endRawSocket(socket, rawResponse(error, requestId));
    logger.info('request rejected', { status: error.status, reason: err.code ?? err.message, requestId });
  });

  // CONNECT would otherwise get its socket silently destroyed.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const requestId = requestIdOf(req);
    const error: RawError = { status: 405, code: 'method_not_allowed', message: `Method not allowed; allowed: ${ALLOWED_METHODS}` };
    endRawSocket(socket, rawResponse(error, requestId, `Allow: ${ALLOWED_METHODS}\r\n`));
    logger.access('info', { method: req.method, path: loggedPath(req.url ?? ''), status: 405, durationMs: 0, requestId });
  });

  function listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        server.off('error', onError);
        const bound = address();
        if (bound === null) {
          reject(new Error('server is not bound to a TCP address'));
          return;
        }
        logger.info('listening', { host: bound.address, port: bound.port, keepAliveTimeoutMs: config.keepAliveTimeoutMs });
        resolve(bound);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ port: config.port, host: config.host });
    });
  }

  function address(): AddressInfo | null {
    const bound = server.address();
    return bound !== null && typeof bound === 'object' ? bound : null;
  }

  function close(): Promise<CloseResult> {
    closing ??= new Promise<CloseResult>((resolve) => {
      draining = true;
      const start = performance.now();
      logger.info('draining', { shutdownTimeoutMs: config.shutdownTimeoutMs });

      let settled = false;
      const settle = (forced: boolean): void => {
        if (settled) return;
        settled = true;
        clearInterval(sweep);
        clearTimeout(deadline);
        const result: CloseResult = { forced, durationMs: elapsedMs(start) };
        logger[forced ? 'warn' : 'info']('server closed', { ...result });
        resolve(result);
      };

      // Stop accepting; the callback runs once every connection has ended.
      if (server.listening) server.close(() => settle(false));
      else setImmediate(() => settle(false));
      // Idle keep-alive connections would otherwise linger until keepAliveTimeout. Connections
      // that finish their current response later get `Connection: close` (see send) or the sweep.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), DRAIN_SWEEP_MS);
      sweep.unref();
      const deadline = setTimeout(() => {
        server.closeAllConnections();
        settle(true);
      }, config.shutdownTimeoutMs);
    });
    return closing;
  }

  return {
    server,
    listen,
    close,
    address,
    get draining() {
      return draining;
    },
  };
}
