import { describe, expect, it } from 'vitest';
import { ConfigError, IMAGE_CA_BUNDLE, loadConfig } from '../src/config';
import { testPostgres } from './postgres/testDatabase';

describe('loadConfig', () => {
  it('GIVEN no variables THEN the production defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
      headersTimeoutMs: 66_000,
    });
  });

  it('GIVEN every variable THEN each is read, and headersTimeout stays above keep-alive', () => {
    expect(
      loadConfig({ PORT: '9000', HOST: '127.0.0.1', LOG_LEVEL: 'WARN', SHUTDOWN_TIMEOUT_MS: '500', KEEP_ALIVE_TIMEOUT_MS: '70000' }),
    ).toEqual({ port: 9000, host: '127.0.0.1', logLevel: 'warn', shutdownTimeoutMs: 500, keepAliveTimeoutMs: 70_000, headersTimeoutMs: 71_000 });
  });

  it('GIVEN empty or blank variables THEN the defaults (as if unset)', () => {
    expect(loadConfig({ PORT: '', HOST: ' ', LOG_LEVEL: '' })).toMatchObject({ port: 8080, host: '0.0.0.0', logLevel: 'info' });
  });

  it.each([
    ['HOST', 'localhost'],
    ['HOST', '::'],
    ['HOST', 'task-api.internal'],
    ['PORT', '1'],
    ['PORT', '65535'],
    ['LOG_LEVEL', 'debug'],
    ['LOG_LEVEL', 'error'],
  ])('GIVEN %s=%j THEN it is accepted', (name, value) => {
    expect(() => loadConfig({ [name]: value })).not.toThrow();
  });

  it.each([
    ['PORT', 'eighty', 'must be an integer from 1 to 65535'],
    ['PORT', '0', 'must be an integer from 1 to 65535'],
    ['PORT', '65536', 'must be an integer from 1 to 65535'],
    ['PORT', '-1', 'must be an integer from 1 to 65535'],
    ['PORT', '80.5', 'must be an integer from 1 to 65535'],
    ['PORT', '8e3', 'must be an integer from 1 to 65535'],
    ['HOST', 'not a host', 'must be an IP address or a host name'],
    ['HOST', 'http://x', 'must be an IP address or a host name'],
    ['LOG_LEVEL', 'verbose', 'must be one of debug, info, warn, error'],
    ['SHUTDOWN_TIMEOUT_MS', 'soon', 'must be an integer from 1 to 600000'],
    ['SHUTDOWN_TIMEOUT_MS', '0', 'must be an integer from 1 to 600000'],
    ['SHUTDOWN_TIMEOUT_MS', '600001', 'must be an integer from 1 to 600000'],
    ['KEEP_ALIVE_TIMEOUT_MS', '65s', 'must be an integer from 1 to 3600000'],
    ['KEEP_ALIVE_TIMEOUT_MS', '0', 'must be an integer from 1 to 3600000'],
  ])('GIVEN %s=%j THEN a ConfigError names the variable and the value', (name, value, reason) => {
    let caught: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({ variable: name, value, message: `invalid ${name}=${JSON.stringify(value)}: ${reason}` });
    expect(String((caught as Error).message)).not.toContain('\n');
  });

  it('GIVEN a huge bad value THEN the message quotes only its start', () => {
    expect(() => loadConfig({ HOST: `${'x'.repeat(300)} y` })).toThrow(/^invalid HOST="x{100}…": /);
  });
});

describe('loadConfig: the database (DB_*)', () => {
  const DB = { DB_HOST: 'db.internal', DB_NAME: 'tasks', DB_USER: 'task_api', DB_PASSWORD: ' s3cret pw ' };

  it('GIVEN no DB_* variable THEN no database: the tasks are served from memory', () => {
    expect(loadConfig({}).database).toBeUndefined();
  });

  it('GIVEN host, name, user and password THEN PostgreSQL with verified TLS and the pool defaults; the password is kept as is', () => {
    expect(loadConfig(DB, { defaultCaFile: '/nonexistent/global-bundle.pem' }).database).toEqual({
      host: 'db.internal',
      port: 5432,
      database: 'tasks',
      user: 'task_api',
      password: ' s3cret pw ',
      sslMode: 'verify-full',
      poolMax: 10,
      connectTimeoutMs: 2_000,
      queryTimeoutMs: 2_000,
    });
  });

  it('GIVEN every DB_* variable THEN each is read, and the CA bundle is loaded from DB_SSL_CA_FILE', async () => {
    const { caFile } = testPostgres();
    const database = loadConfig({
      ...DB,
      DB_PORT: '6432',
      DB_SSL: 'VERIFY-FULL',
      DB_SSL_CA_FILE: caFile,
      DB_POOL_MAX: '4',
      DB_CONNECT_TIMEOUT_MS: '500',
      DB_QUERY_TIMEOUT_MS: '1500',
    }).database;
    expect(database).toMatchObject({ port: 6432, sslMode: 'verify-full', caFile, poolMax: 4, connectTimeoutMs: 500, queryTimeoutMs: 1_500 });
    expect(database?.ca).toContain('-----BEGIN CERTIFICATE-----');
  });

  describe('the CA bundle the image ships (DB_SSL_CA_FILE unset)', () => {
    it('GIVEN verify-full and the bundle present THEN it is the CA bundle', () => {
      const { caFile } = testPostgres();
      const database = loadConfig(DB, { defaultCaFile: caFile }).database;
      expect(database).toMatchObject({ sslMode: 'verify-full', caFile });
      expect(database?.ca).toContain('-----BEGIN CERTIFICATE-----');
    });

    it('GIVEN the bundle absent THEN there is no CA file (Node trust store)', () => {
      const database = loadConfig(DB, { defaultCaFile: '/nonexistent/global-bundle.pem' }).database;
      expect(database).toBeDefined();
      expect(database).not.toHaveProperty('caFile');
      expect(database).not.toHaveProperty('ca');
    });

    it.each(['require', 'disable'])('GIVEN DB_SSL=%s and the bundle present THEN it is not used, and that is no error', (sslMode) => {
      const database = loadConfig({ ...DB, DB_SSL: sslMode }, { defaultCaFile: testPostgres().caFile }).database;
      expect(database).toMatchObject({ sslMode });
      expect(database).not.toHaveProperty('caFile');
    });

    it('GIVEN DB_SSL_CA_FILE THEN it wins over the bundle', () => {
      const database = loadConfig({ ...DB, DB_SSL_CA_FILE: testPostgres().caFile }, { defaultCaFile: '/etc/hosts' }).database;
      expect(database?.caFile).toBe(testPostgres().caFile);
    });

    it('GIVEN the bundle path holds no certificate THEN a ConfigError names it', () => {
      expect(() => loadConfig(DB, { defaultCaFile: '/etc/hosts' })).toThrow('invalid DB_SSL_CA_FILE="/etc/hosts": holds no PEM certificate');
    });

    it('GIVEN no option THEN the default is the image path', () => {
      expect(IMAGE_CA_BUNDLE).toBe('/etc/ssl/rds/global-bundle.pem');
    });
  });

  it.each([
    ['DB_NAME', { DB_NAME: 'tasks' }, 'DB_HOST', '', 'required when DB_NAME is set'],
    ['DB_PASSWORD', { DB_PASSWORD: 'x' }, 'DB_HOST', '', 'required when DB_PASSWORD is set'],
    ['no DB_NAME', { ...DB, DB_NAME: '' }, 'DB_NAME', '', 'required with DB_HOST'],
    ['a bad DB_NAME', { ...DB, DB_NAME: 'ta sks' }, 'DB_NAME', 'ta sks', 'must be 1 to 63 letters, digits, _, $ or -'],
    ['no DB_USER', { ...DB, DB_USER: ' ' }, 'DB_USER', ' ', 'required with DB_HOST (ECS injects it from the database secret)'],
    ['no DB_PASSWORD', { ...DB, DB_PASSWORD: '' }, 'DB_PASSWORD', '', 'required with DB_HOST (ECS injects it from the database secret)'],
    ['a bad DB_HOST', { ...DB, DB_HOST: 'db internal' }, 'DB_HOST', 'db internal', 'must be an IP address or a host name'],
    ['a bad DB_PORT', { ...DB, DB_PORT: '5432x' }, 'DB_PORT', '5432x', 'must be an integer from 1 to 65535'],
    ['a bad DB_SSL', { ...DB, DB_SSL: 'true' }, 'DB_SSL', 'true', 'must be one of verify-full, require, disable'],
    ['a CA file without verification', { ...DB, DB_SSL: 'require', DB_SSL_CA_FILE: '/etc/hosts' }, 'DB_SSL_CA_FILE', '/etc/hosts', 'only applies with DB_SSL=verify-full (DB_SSL is require)'],
    ['a missing CA file', { ...DB, DB_SSL_CA_FILE: '/nonexistent/rds.pem' }, 'DB_SSL_CA_FILE', '/nonexistent/rds.pem', 'cannot be read (ENOENT)'],
    ['a CA file without certificates', { ...DB, DB_SSL_CA_FILE: '/etc/hosts' }, 'DB_SSL_CA_FILE', '/etc/hosts', 'holds no PEM certificate'],
    ['a pool of 0', { ...DB, DB_POOL_MAX: '0' }, 'DB_POOL_MAX', '0', 'must be an integer from 1 to 100'],
    ['a pool of 101', { ...DB, DB_POOL_MAX: '101' }, 'DB_POOL_MAX', '101', 'must be an integer from 1 to 100'],
    ['a bad connect timeout', { ...DB, DB_CONNECT_TIMEOUT_MS: '2s' }, 'DB_CONNECT_TIMEOUT_MS', '2s', 'must be an integer from 1 to 60000'],
    ['a bad query timeout', { ...DB, DB_QUERY_TIMEOUT_MS: '60001' }, 'DB_QUERY_TIMEOUT_MS', '60001', 'must be an integer from 1 to 60000'],
  ])('GIVEN %s THEN a ConfigError names the variable and the value', (_name, env, variable, value, reason) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({ variable, message: `invalid ${variable}=${JSON.stringify(value)}: ${reason}` });
  });

  it('GIVEN an error about the database THEN the password never appears in it', () => {
    expect(() => loadConfig({ ...DB, DB_PASSWORD: 'hunter2', DB_PORT: 'x' })).toThrow(ConfigError);
    try {
      loadConfig({ ...DB, DB_PASSWORD: 'hunter2', DB_SSL: 'maybe' });
    } catch (err) {
      expect(String(err)).not.toContain('hunter2');
    }
  });
});
