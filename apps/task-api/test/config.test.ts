import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

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
