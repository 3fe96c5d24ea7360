import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeAssembly } from '../summarizeAssembly';

/**
 * The proof that a fork keeps CI green and that Nx never replays a stale result: a copy of this
 * workspace, with the Nx cache the main suite just filled, gets a different valid config (other
 * accounts, region, names, service and consumers, one environment) and runs `npm test`.
 *
 * - The suite must pass: no test depends on the example config's values.
 * - Every task that reads deploy.config.ts must run again, not come from the cache: they all
 *   declare it as an input. (A task that does not read it, such as the task API's tests, is
 *   expected to be a cache hit: that shows the copied cache was really consulted.)
 */
const root = resolve(import.meta.dirname, '../..');

/** Tasks that read deploy.config.ts (directly or through the CDK apps) and so must never be replayed after it changes. */
const CONFIG_READERS = [
  'config:test',
  'provider:test',
  'consumer:test',
  'pipelines:test',
  'workspace-tools:test',
  'workspace-tools:typecheck',
  'workspace-tools:lint',
  'provider:synth',
  'consumer:synth',
  'consumer:kit',
  'pipelines:synth',
];

/** Other accounts, region, names, service and consumers than the example; one environment. */
const FORK_CONFIG = `import type { DeploymentConfigInput } from '@private-api/config';

export default {
  service: {
    name: 'inventory',
    image: { uri: '301234567890.dkr.ecr.us-west-2.amazonaws.com/inventory/api:2.4.1' },
    containerPort: 9090,
    healthCheckPath: '/health/ready',
    user: '10001:10001',
    cpuArchitecture: 'arm64',
    cpu: 512,
    memoryMiB: 1024,
    environment: { INVENTORY_MODE: 'read-write' },
    secrets: { DB_URL: 'arn:aws:ssm:us-west-2:301234567891:parameter/inventory/db-url' },
    smokeChecks: [{ path: '/health/ready', status: 200 }],
  },
  pipeline: {
    account: '301234567899',
    region: 'us-west-2',
    repository: 'acme-platform/inventory-api',
    branch: 'trunk',
    connectionArn: 'arn:aws:codeconnections:us-west-2:301234567899:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  },
  environments: [
    {
      name: 'production',
      provider: {
        account: '301234567891',
        region: 'us-west-2',
        availabilityZones: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
        vpcCidr: '172.20.0.0/16',
        desiredCount: 3,
        logRetentionDays: 180,
      },
      consumers: [
        { name: 'shipping', account: '301234567892', region: 'us-west-2', availabilityZones: ['usw2-az1', 'usw2-az3'], vpcCidr: '172.21.0.0/16' },
        {
          name: 'storefront',
          account: '301234567893',
          region: 'us-west-2',
          existingVpc: {
            id: 'vpc-0fedcba9876543210',
            cidr: '10.0.0.0/16',
            subnets: { 'usw2-az2': 'subnet-0fedcba9876543211', 'usw2-az3': 'subnet-0fedcba9876543212' },
          },
        },
        { name: 'reseller', account: '301234567894', region: 'us-west-2', selfManaged: true, allowedClientCidrs: ['192.168.10.0/24'] },
      ],
    },
  ],
} as const satisfies DeploymentConfigInput;
`;

/**
 * Copies the workspace's tracked and untracked-but-not-ignored files into a new git repository
 * (a fork is one: `nx affected` and the repository checks use git), links node_modules, and
 * copies the Nx cache with the database that indexes it (Nx ignores cache entries it has no
 * record of).
 */
function copyWorkspace(target: string): void {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  expect(listed.status, listed.stderr).toBe(0);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const source = join(root, file);
    if (!existsSync(source)) continue; // deleted in the working tree
    const destination = join(target, file);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(source, destination);
    chmodSync(destination, statSync(source).mode);
  }
  symlinkSync(join(root, 'node_modules'), join(target, 'node_modules'), 'dir');
  for (const folder of ['cache', 'workspace-data']) {
    const source = join(root, '.nx', folder);
    if (existsSync(source)) cpSync(source, join(target, '.nx', folder), { recursive: true });
  }
  const identity = ['-c', 'user.name=fork-check', '-c', 'user.email=fork-check@example.invalid', '-c', 'commit.gpgsign=false'];
  const git = (...args: string[]) => {
    const run = spawnSync('git', args, { cwd: target, encoding: 'utf8' });
    expect(run.status, `git ${args.join(' ')}: ${run.stderr}`).toBe(0);
  };
  git('init', '-q', '-b', 'main');
  // .gitignore's `node_modules/` matches folders only; here it is a link.
  writeFileSync(join(target, '.git', 'info', 'exclude'), 'node_modules\n');
  git('add', '-A');
  git(...identity, 'commit', '-q', '-m', 'fork');
}

/** Runs `npm test` in the fork; resolves with its exit code and output. The child is killed if the test gives up. */
function runNpmTest(cwd: string, children: ChildProcess[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn('npm', ['test'], {
      cwd,
      detached: true, // its own process group, so afterAll can stop nx and every worker it started
      env: { ...process.env, FORK_CHECK: 'skip', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: 'true', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

/** `nx run <task>` lines Nx printed with a cache marker (static output style). */
function cachedTasks(output: string): string[] {
  return [...output.matchAll(/> nx run ([\w-]+:[\w-]+)[^\n]*\[(local cache|existing outputs match the cache, left as is)\]/g)].map(
    (match) => match[1] ?? '',
  );
}

describe('a fork with its own accounts, region, service and consumers', () => {
  const children: ChildProcess[] = [];
  let fork: string;
  let result: { code: number | null; output: string };

  beforeAll(async () => {
    // GIVEN a copy of this workspace with the cache of the suite that just ran, and another config
    fork = mkdtempSync(join(tmpdir(), 'fork-'));
    copyWorkspace(fork);
    writeFileSync(join(fork, 'deploy.config.ts'), FORK_CONFIG);
    // WHEN its `npm test` runs
    result = await runNpmTest(fork, children);
  }, 1_200_000);

  afterAll(() => {
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    if (fork) rmSync(fork, { recursive: true, force: true });
  });

  it('passes npm test', () => {
    const failures = result.output.split('\n').filter((line) => /×|FAIL|failed|Error/.test(line));
    const tail = [...failures.slice(0, 40), '...', ...result.output.split('\n').slice(-30)].join('\n');
    expect(result.code, tail).toBe(0);
    expect(result.output).toMatch(/\n\d+ passed, 0 failed/);
  });

  it('runs every task that reads the config again instead of replaying the cache', () => {
    const cached = cachedTasks(result.output);
    expect(cached.filter((task) => CONFIG_READERS.includes(task))).toEqual([]);
    // The copied cache was consulted: a task that does not read the config came from it.
    expect(cached, 'no cache hit at all: run the main suite first (npm test does), the fork check copies its cache').toContain('task-api:test');
  });

  it("synthesizes the fork's stages into the fork's accounts and region", () => {
    const provider = summarizeAssembly(join(fork, 'dist', 'provider', 'cdk.out'));
    expect(provider.map((stage) => [stage.account, stage.region])).toEqual([['301234567891', 'us-west-2']]);
    const consumers = summarizeAssembly(join(fork, 'dist', 'consumer', 'cdk.out'));
    expect(consumers.map((stage) => stage.account).sort()).toEqual(['301234567892', '301234567893']);
    expect(existsSync(join(fork, 'dist', 'consumer-kits', 'production', 'reseller', 'template.json'))).toBe(true);
    const stacks = provider.flatMap((stage) => stage.stacks.map((stack) => stack.name));
    expect(stacks).toEqual(['inventory-production-provider-network', 'inventory-production-provider-service']);
    expect(readFileSync(join(fork, 'deploy.config.ts'), 'utf8')).toBe(FORK_CONFIG);
  });
});
