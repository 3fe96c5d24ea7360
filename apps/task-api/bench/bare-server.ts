import { createServer } from 'node:http';
import { tasks } from '../src/tasks';

/**
 * Baseline for bench.ts: the least a node:http server can do to send the same bytes as
 * GET /api/tasks on the task API (same body, same headers, a fixed request id, same keep-alive
 * settings), with no routing, no id validation and no logging. PORT and HOST from the env.
 */
const body = Buffer.from(JSON.stringify(tasks), 'utf8');
const headers = [
  'Content-Type',
  'application/json; charset=utf-8',
  'Content-Length',
  String(body.length),
  'X-Content-Type-Options',
  'nosniff',
  'Cache-Control',
  'no-store',
  'X-Request-Id',
  '00000000-0000-4000-8000-000000000000',
];

const server = createServer({ headersTimeout: 66_000, requestTimeout: 66_000 }, (_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env['PORT'] ?? 0), process.env['HOST'] ?? '127.0.0.1');

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
