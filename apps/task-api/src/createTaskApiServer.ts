import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TaskApiConfig } from './config';
import { createRequestHandler, errorBody, type HandlerState } from './createRequestHandler';
import type { Logger } from './logger';

/** Largest request header block accepted; larger ones get a JSON 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface TaskApiServer {
  readonly server: Server;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<AddressInfo>;
  /**
   * Graceful shutdown: stop accepting connections, close idle ones, let in-flight requests
   * finish (their responses carry `Connection: close`). After `shutdownTimeoutMs` the
   * remaining connections are cut. Resolves `graceful` or `forced`.
   */
  shutdown(): Promise<'graceful' | 'forced'>;
}

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** A raw HTTP/1.1 error response for requests Node's parser rejects before any handler runs. */
function rawErrorResponse(status: number, code: string, message: string): string {
  const body = errorBody(code, message);
  return (
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    'X-Content-Type-Options: nosniff\r\n' +
    'Cache-Control: no-store\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n\r\n' +
    body.toString()
  );
}

function clientErrorResponse(code: string | undefined): string {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return rawErrorResponse(431, 'headers_too_large', `Request headers exceed ${MAX_HEADER_BYTES} bytes`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return rawErrorResponse(408, 'request_timeout', 'The request took too long to arrive');
    default:
      return rawErrorResponse(400, 'bad_request', 'Malformed HTTP request');
  }
}

export function createTaskApiServer(config: TaskApiConfig, logger: Logger): TaskApiServer {
  const state: HandlerState = { draining: false };
  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: config.keepAliveTimeoutMs, requestTimeout: 30_000 },
    createRequestHandler(logger, state),
  );
  // Must exceed keepAliveTimeout, or Node may cut a keep-alive connection the ALB still uses.
  server.headersTimeout = config.keepAliveTimeoutMs + 1_000;

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    logger.log('warn', 'rejected malformed request', { code: error.code, remoteAddress: socket.remoteAddress });
    socket.end(clientErrorResponse(error.code));
  });

  let shuttingDown: Promise<'graceful' | 'forced'> | undefined;

  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          logger.log('info', 'listening', { host: address.address, port: address.port });
          resolve(address);
        });
      }),
    shutdown: () => {
      shuttingDown ??= new Promise((resolve) => {
        logger.log('info', 'shutting down', { timeoutMs: config.shutdownTimeoutMs });
        state.draining = true;
        const timer = setTimeout(() => {
          logger.log('warn', 'shutdown timed out, closing remaining connections', {});
          server.closeAllConnections();
          resolve('forced');
        }, config.shutdownTimeoutMs);
        server.close(() => {
          clearTimeout(timer);
          logger.log('info', 'shutdown complete', {});
          resolve('graceful');
        });
        server.closeIdleConnections();
      });
      return shuttingDown;
    },
  };
}
