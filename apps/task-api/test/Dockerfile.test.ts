import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// No Docker engine here: the Dockerfile is reviewed by these rules instead of being built.
const root = resolve(import.meta.dirname, '..');
const lines = readFileSync(resolve(root, 'Dockerfile'), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const stages = lines.reduce<string[][]>((all, line) => {
  if (/^FROM /i.test(line)) all.push([]);
  all.at(-1)?.push(line);
  return all;
}, []);
const runtime = stages.at(-1) ?? [];

describe('apps/task-api/Dockerfile', () => {
  it('is a multi-stage build from pinned base images', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage[0]).toMatch(/^FROM node:\d+\.\d+\.\d+-[a-z]+-slim( AS \w+)?$/);
    }
  });

  it('builds with npm ci from the lock file, and ships only the compiled output', () => {
    expect(stages[0]?.join('\n')).toMatch(/RUN npm ci/);
    const copies = runtime.filter((line) => line.startsWith('COPY'));
    expect(copies).toEqual([expect.stringMatching(/^COPY --from=build .*\/build\/dist \.\/dist$/)]);
    expect(runtime.join('\n')).not.toMatch(/npm (ci|install)/);
  });

  it('runs as the non-root node user', () => {
    const users = runtime.filter((line) => line.startsWith('USER '));
    expect(users.at(-1)).toBe('USER node');
  });

  it('starts node directly (signals reach the process), with a health check', () => {
    expect(runtime.at(-1)).toBe('CMD ["node", "/app/dist/main.js"]');
    expect(runtime).toContain('STOPSIGNAL SIGTERM');
    expect(runtime.find((line) => line.startsWith('HEALTHCHECK'))).toMatch(/CMD \["node", "\/app\/dist\/healthcheck\.js"\]$/);
    expect(runtime).toContain('EXPOSE 8080');
  });

  it('sends Docker only what the build needs', () => {
    const ignore = readFileSync(resolve(root, '.dockerignore'), 'utf8');
    expect(ignore.split('\n')[1]).toBe('*');
    expect(ignore).toContain('!src/**');
    expect(ignore).toContain('src/**/*.test.ts');
  });
});
