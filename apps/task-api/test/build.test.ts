import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot, freePort, workspaceRoot } from './helpers';

const run = promisify(execFile);

/**
 * The production artifact, as the Dockerfile builds and runs it: tsconfig.build.json compiled to
 * CommonJS and started with plain `node` (no tsx), from a directory with no node_modules.
 */
describe('compiled dist (tsconfig.build.json)', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'task-api-dist-'));
    const tsc = resolve(workspaceRoot, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', resolve(appRoot, 'tsconfig.build.json'), '--outDir', outDir]);
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('GIVEN the build THEN it emits exactly the service modules as CommonJS, without tests', () => {
    expect(readdirSync(outDir).sort()).toEqual([
      'app.js',
      'config.js',
      'healthcheck.js',
      'logger.js',
      'main.js',
      'migrations.js',
      'postgresTaskStore.js',
      'requestId.js',
      'server.js',
      'taskStore.js',
      'tasks.js',
    ]);
    expect(readFileSync(join(outDir, 'main.js'), 'utf8')).toMatch(/require\("\.\/server"\)/);
    expect(existsSync(resolve(appRoot, 'node_modules/typescript'))).toBe(false);
  });

  it('GIVEN `node dist/main.js` THEN it serves, passes `node dist/healthcheck.js` and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const env = { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1' };
    const service = spawn(process.execPath, [join(outDir, 'main.js')], { cwd: outDir, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    service.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const exited = new Promise<number | null>((done) => service.on('close', (code) => done(code)));
    try {
      await expect.poll(() => stdout, { timeout: 20_000, interval: 50 }).toContain('"msg":"listening"');
      const response = await fetch(`http://127.0.0.1:${port}/api/tasks`);
      expect(response.status).toBe(200);
      await response.text();

      const health = await run(process.execPath, [join(outDir, 'healthcheck.js')], { env }).then(
        () => 0,
        (err: { code?: number }) => err.code ?? -1,
      );
      expect(health).toBe(0);

      service.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('"msg":"shutdown complete"');
    } finally {
      if (service.exitCode === null) service.kill('SIGKILL');
    }
  });
});
