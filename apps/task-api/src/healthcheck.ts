import { request } from 'node:http';

/**
 * Container health check (Dockerfile HEALTHCHECK / ECS container health check):
 * `node dist/healthcheck.js` GETs http://127.0.0.1:$PORT/healthz and exits 0 on a 200 within
 * 2 s, else 1. Built-ins only, so it runs in the distroless-like runtime stage.
 */
const TIMEOUT_MS = 2_000;

function finish(healthy: boolean, reason: string): never {
  if (!healthy) process.stderr.write(`healthcheck: ${reason}\n`);
  process.exit(healthy ? 0 : 1);
}

const rawPort = (process.env['PORT'] ?? '').trim() || '8080';
const port = /^[0-9]{1,5}$/.test(rawPort) ? Number(rawPort) : Number.NaN;
if (!(port >= 1 && port <= 65_535)) finish(false, `invalid PORT=${JSON.stringify(rawPort)}`);

setTimeout(() => finish(false, `no response within ${TIMEOUT_MS} ms`), TIMEOUT_MS).unref();

request({ host: '127.0.0.1', port, path: '/healthz', method: 'GET', agent: false, headers: { 'user-agent': 'task-api-healthcheck' } }, (res) => {
  res.resume();
  const status = res.statusCode ?? 0;
  finish(status === 200, `unexpected status ${status}`);
})
  .on('error', (err) => finish(false, err.message))
  .end();
