import { request } from 'node:http';

/**
 * Container health check (Dockerfile HEALTHCHECK and the ECS task definition): exits 0 when
 * the API answers 200 on /healthz within 2 seconds, 1 otherwise. Node built-ins only, because
 * the runtime image has no curl or wget.
 */
const port = Number(process.env['PORT'] ?? 8080);
const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 2_000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
req.end();
