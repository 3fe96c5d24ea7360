import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from './helpers';

/**
 * certs/verify-rds-bundle.cjs, the check the image build runs on the RDS CA bundle. The
 * certificates here are throw-away ones made with openssl for the test (real RDS subjects'
 * shape, our own keys): the script must accept what looks like the bundle and refuse the rest.
 */
const script = resolve(appRoot, 'certs/verify-rds-bundle.cjs');
const RDS = '/C=US/O=Amazon Web Services, Inc./OU=Amazon RDS/ST=WA/L=Seattle';

let work: string;
let roots: string;
let issued: string;
let foreign: string;
let leaf: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
}

function selfSigned(name: string, subject: string, ca = true): string {
  const ext = ca ? ['-addext', 'basicConstraints=critical,CA:TRUE'] : ['-addext', 'basicConstraints=critical,CA:FALSE'];
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', subject, ...ext, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  return readFileSync(join(work, `${name}.pem`), 'utf8');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'task-api-rds-bundle-'));
  roots = selfSigned('root-a', `${RDS}/CN=Amazon RDS xx-test-1 Root CA RSA2048 G1`) + selfSigned('root-b', `${RDS}/CN=Amazon RDS xx-test-1 Root CA ECC384 G1`);
  // An intermediate issued by root-a, as the older "… 2019 CA" certificates are.
  writeFileSync(join(work, 'ext.cnf'), 'basicConstraints=critical,CA:TRUE\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `${RDS}/CN=Amazon RDS xx-test-1 2019 CA`, '-keyout', 'mid.key', '-out', 'mid.csr');
  openssl('x509', '-req', '-in', 'mid.csr', '-CA', 'root-a.pem', '-CAkey', 'root-a.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'mid.pem');
  issued = readFileSync(join(work, 'mid.pem'), 'utf8');
  foreign = selfSigned('foreign', '/C=US/O=Example CA/CN=Example Root CA');
  leaf = selfSigned('leaf', `${RDS}/CN=Amazon RDS xx-test-1 Root CA RSA2048 G1`, false);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly out: string;
}

/** A build context's certs/ holding `files`, verified into a fresh output dir. */
function verify(files: Record<string, string>): Run {
  const dir = mkdtempSync(join(work, 'ctx-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const out = join(dir, 'out');
  const result = spawnSync(process.execPath, [script, dir, out], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, out };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const withChecksum = (bundle: string): Record<string, string> => ({
  'rds-global-bundle.pem': bundle,
  'rds-global-bundle.pem.sha256': `${sha256(bundle)}  rds-global-bundle.pem\n`,
});

describe('certs/verify-rds-bundle.cjs', () => {
  it('GIVEN no bundle THEN it succeeds and the image gets an empty folder', () => {
    const run = verify({});
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('the image ships no RDS CA bundle');
    expect(readdirSync(run.out)).toEqual([]);
  });

  it('GIVEN RDS roots and an intermediate with the recorded checksum THEN it copies the bundle byte for byte', () => {
    const bundle = roots + issued;
    const run = verify(withChecksum(bundle));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`sha256 ${sha256(bundle)}, 3 Amazon RDS CA certificates, current RSA2048 G1 roots for 1: xx-test-1`);
    expect(readFileSync(join(run.out, 'global-bundle.pem'), 'utf8')).toBe(bundle);
  });

  it.each([
    ['no checksum', () => ({ 'rds-global-bundle.pem': roots }), 'has no rds-global-bundle.pem.sha256 next to it'],
    ['a checksum without the bundle', () => ({ 'rds-global-bundle.pem.sha256': `${sha256(roots)}  rds-global-bundle.pem\n` }), 'rds-global-bundle.pem.sha256 without rds-global-bundle.pem'],
    ['a changed bundle', () => ({ ...withChecksum(roots), 'rds-global-bundle.pem': `${roots}\n` }), 'rds-global-bundle.pem has SHA-256'],
    ['a malformed checksum file', () => ({ ...withChecksum(roots), 'rds-global-bundle.pem.sha256': sha256(roots) }), 'must be one line'],
    ['a certificate of another CA', () => withChecksum(roots + foreign), 'certificate 3 (Example Root CA) is not an Amazon RDS certificate'],
    ['a certificate that is not a CA', () => withChecksum(roots + leaf), 'is not a CA certificate'],
    ['an intermediate whose issuer is missing', () => withChecksum(issued + roots.slice(roots.indexOf('-----BEGIN', 10))), 'is neither self-signed nor issued by another certificate of the bundle'],
    ['no RSA2048 G1 root', () => withChecksum(roots.slice(roots.indexOf('-----BEGIN', 10))), 'holds no current "Amazon RDS <region> Root CA RSA2048 G1"'],
    ['something else than certificates', () => withChecksum(`${roots}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`), 'holds something else than PEM certificates'],
    ['no certificate at all', () => withChecksum('hello\n'), 'holds no PEM certificate'],
  ])('GIVEN %s THEN it fails and ships nothing', (_name, files, message) => {
    const run = verify(files());
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(existsSync(join(run.out, 'global-bundle.pem'))).toBe(false);
  });

  it("GIVEN this repository's certs/ THEN it passes the same check the image build runs", () => {
    const result = spawnSync(process.execPath, [script, resolve(appRoot, 'certs')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
