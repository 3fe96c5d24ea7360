import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGE_CA_BUNDLE } from '../src/config';
import { appRoot } from './helpers';

// There is no Docker engine in CI here, so the Dockerfile is checked by rules instead of built.

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Parses a Dockerfile into instructions per stage (comments dropped, continuations joined). */
function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const logical = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  for (const raw of logical.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (match === null) continue;
    const instruction = { keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`instruction before FROM: ${line}`);
    stage.push(instruction);
  }
  return stages;
}

const stages = parseDockerfile(readFileSync(resolve(appRoot, 'Dockerfile'), 'utf8'));
const build = stages[0] ?? [];
const runtime = stages.at(-1) ?? [];
const argsOf = (stage: readonly Instruction[], keyword: string): string[] =>
  stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

describe('Dockerfile', () => {
  it('GIVEN the Dockerfile THEN it is a multi-stage build on pinned node 20 bookworm-slim images', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      // An exact release (x.y.z), never `latest`/`20`/`lts`; a digest may follow.
      expect(stage[0]?.args).toMatch(/^node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?( AS \w+)?$/);
    }
    expect(new Set(stages.map((stage) => stage[0]?.args.split(' ')[0])).size).toBe(1);
  });

  it('GIVEN the build stage THEN it installs from the lock file with npm ci and builds with tsc', () => {
    expect(argsOf(build, 'RUN')).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci\b/), 'npm run build']));
    expect(argsOf(build, 'COPY')[0]).toBe('package.json package-lock.json ./');
  });

  it('GIVEN the runtime stage THEN it copies only dist/ and the verified RDS CA bundle from the build stage, and installs nothing', () => {
    expect(argsOf(runtime, 'COPY')).toEqual([
      expect.stringMatching(/^--from=build (--chown=root:root )?\/build\/dist \.\/dist$/),
      expect.stringMatching(/^--from=build (--chown=root:root )?\/build\/rds-ca\/ \/etc\/ssl\/rds\/$/),
    ]);
    expect(argsOf(runtime, 'ADD')).toEqual([]);
    for (const command of argsOf(runtime, 'RUN')) {
      expect(command).not.toMatch(/(^|&&|;|\|)\s*(npm|npx|yarn|pnpm|corepack)\s|apt-get install/);
    }
    // ...and the package managers themselves are removed from the runtime image.
    expect(argsOf(runtime, 'RUN').join(' ')).toMatch(/^rm -rf .*\/usr\/local\/lib\/node_modules\/npm /);
    expect(argsOf(runtime, 'ENV').join(' ')).toMatch(/NODE_ENV=production/);
    expect(argsOf(runtime, 'ENV').join(' ')).toMatch(/PORT=8080/);
  });

  it('GIVEN the build stage THEN the RDS CA bundle is verified there, and lands where DB_SSL_CA_FILE defaults to', () => {
    expect(argsOf(build, 'COPY')).toContain('certs ./certs');
    expect(argsOf(build, 'RUN')).toContain('node certs/verify-rds-bundle.cjs certs /build/rds-ca');
    // The script writes <output dir>/global-bundle.pem; the runtime stage copies the folder to /etc/ssl/rds/.
    expect(readFileSync(resolve(appRoot, 'certs/verify-rds-bundle.cjs'), 'utf8')).toContain("join(outDir, 'global-bundle.pem')");
    expect(IMAGE_CA_BUNDLE).toBe('/etc/ssl/rds/global-bundle.pem');
  });

  it('GIVEN the runtime stage THEN its final USER is non-root', () => {
    const user = argsOf(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(user).toBe('node');
  });

  it('GIVEN the runtime stage THEN node itself is PID 1 (exec form, no npm or shell), with SIGTERM, port 8080 and a health check', () => {
    const cmd = argsOf(runtime, 'CMD');
    expect(cmd).toEqual(['["node", "/app/dist/main.js"]']);
    expect(cmd.join(' ')).not.toMatch(/npm|npx|yarn|sh -c/);
    expect(argsOf(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(argsOf(runtime, 'STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(argsOf(runtime, 'EXPOSE')).toEqual(['8080']);
    const healthcheck = argsOf(runtime, 'HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0]).toMatch(/CMD \["node", "\/app\/dist\/healthcheck\.js"\]$/);
  });

  it('GIVEN .dockerignore THEN only package files, the build tsconfig, src and the RDS CA bundle files reach the build context', () => {
    const rules = readFileSync(resolve(appRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(rules[0]).toBe('*');
    expect(rules.filter((rule) => rule.startsWith('!'))).toEqual([
      '!package.json',
      '!package-lock.json',
      '!tsconfig.build.json',
      '!src/**',
      '!certs/verify-rds-bundle.cjs',
      '!certs/rds-global-bundle.pem',
      '!certs/rds-global-bundle.pem.sha256',
    ]);
    expect(rules).toEqual(expect.arrayContaining(['src/**/*.test.ts', 'node_modules', 'dist', 'test', 'bench']));
  });
});

describe('package.json and package-lock.json (the npm ci input)', () => {
  const pkg = JSON.parse(readFileSync(resolve(appRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(resolve(appRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; dev?: boolean; devDependencies?: Record<string, string> }>;
  };

  it('GIVEN package.json THEN it is private, its one runtime dependency is pg and every version is pinned exactly', () => {
    expect(pkg).toMatchObject({ name: 'task-api', private: true, scripts: { build: 'tsc -p tsconfig.build.json' } });
    expect(pkg['dependencies']).toEqual({ pg: '8.23.1' });
    expect(pkg['devDependencies']).toEqual({ '@types/node': '20.19.43', typescript: '5.9.3' });
  });

  it('GIVEN the lock file THEN it matches package.json, and only pg and its own dependencies are production packages', () => {
    const root = lock.packages[''] as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined;
    expect(root?.devDependencies).toEqual(pkg['devDependencies']);
    expect(root?.dependencies).toEqual(pkg['dependencies']);
    expect(lock.packages['node_modules/typescript']?.version).toBe('5.9.3');
    expect(lock.packages['node_modules/@types/node']?.version).toBe('20.19.43');
    expect(lock.packages['node_modules/pg']?.version).toBe('8.23.1');
    const production = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev !== true)
      .map(([path]) => path.replace(/^node_modules\//, ''));
    expect(production).toEqual(expect.arrayContaining(['pg', 'pg-pool', 'pg-protocol', 'pg-types']));
    // pg's own tree only: nothing else slipped into the image.
    for (const name of production) expect(name, name).toMatch(/^(pg|pg-[a-z0-9-]+|pgpass|postgres-[a-z]+|split2|xtend)$/);
  });

  it('GIVEN the build stage THEN it prunes dev packages and ships the production ones inside dist/', () => {
    expect(argsOf(build, 'RUN')).toContain('npm prune --omit=dev --ignore-scripts --no-audit --no-fund && mv node_modules dist/node_modules');
  });
});
