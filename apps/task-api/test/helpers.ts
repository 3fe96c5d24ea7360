import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type LogLevel } from '../src/logger';
import { createTaskApiServer, type ServerConfig, type TaskApiServer, type TaskApiServerOptions } from '../src/server';

export const appRoot = resolve(import.meta.dirname, '..');
export const workspaceRoot = resolve(appRoot, '../..');
/** tsx as a loader (`node --import <this> entry.ts`): the entry runs in that node process itself. */
export const tsxLoader = pathToFileURL(resolve(workspaceRoot, 'node_modules/tsx/dist/loader.mjs')).href;

export const TASKS_JSON =
  '[{"id":1,"name":"task1","description":"This is task 1"},{"id":2,"name":"task2","description":"This is task 2"},{"id":3,"name":"task3","description":"This is task 3"}]';

export type LogLine = Record<string, unknown>;

export interface RunningApi {
  readonly api: TaskApiServer;
  readonly port: number;
  readonly baseUrl: string;
  /** Every log line the server wrote, parsed. */
  readonly logs: LogLine[];
}

export interface StartOptions extends TaskApiServerOptions {
  readonly config?: Partial<ServerConfig>;
  readonly level?: LogLevel;
}

/** Starts the real server on an ephemeral 127.0.0.1 port with a logger writing into an array. */
export async function startApi(options: StartOptions = {}): Promise<RunningApi> {
  const logs: LogLine[] = [];
  const logger = createLogger({
    level: options.level ?? 'debug',
    buffered: false,
    write: (chunk) => {
      for (const line of chunk.split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
    },
  });
  const config: ServerConfig = {
    port: 0,
    host: '127.0.0.1',
    shutdownTimeoutMs: 10_000,
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 66_000,
    ...options.config,
  };
  const api = createTaskApiServer(config, logger, options);
  const { port } = await api.listen();
  return { api, port, baseUrl: `http://127.0.0.1:${port}`, logs };
}

export interface RawResponse {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Splits one raw HTTP/1.1 response into status, headers and body. */
export function parseRawResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/**
 * Writes raw bytes on a new TCP connection; resolves with all the server sent once the server
 * closes it (send `Connection: close` for well-formed requests).
 */
export function rawRequest(port: number, payload: string | Buffer): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    socket.write(payload);
  });
}

/** A port that was free a moment ago (for child processes, which need a fixed PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePromise(port));
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A promise plus its resolver, to hold a request in flight until a test releases it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let release: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    release = done;
  });
  return { promise, resolve: release };
}
