import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLogger, createTaskApiServer, readConfig, type LogLevel, type TaskApiServer } from '../src/index';

export interface RunningApi {
  readonly api: TaskApiServer;
  readonly baseUrl: string;
  readonly port: number;
  readonly logs: Record<string, unknown>[];
}

/** Starts the real server on an ephemeral loopback port, logging into an array. */
export async function startApi(env: NodeJS.ProcessEnv = {}, level: LogLevel = 'debug'): Promise<RunningApi> {
  const logs: Record<string, unknown>[] = [];
  const config = readConfig({ PORT: '0', HOST: '127.0.0.1', ...env });
  const api = createTaskApiServer(config, createLogger(level, (line) => logs.push(JSON.parse(line) as Record<string, unknown>)));
  const address: AddressInfo = await api.listen();
  return { api, logs, port: address.port, baseUrl: `http://127.0.0.1:${address.port}` };
}

/** Sends raw bytes over a new TCP connection and resolves with everything the server sent back. */
export function rawRequest(port: number, payload: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(payload);
  });
}

/** Splits a raw HTTP/1.1 response into status, lower-cased headers and body. */
export function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
