import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/index';

describe('readConfig', () => {
  it('defaults to port 8080 on all interfaces, info logs, 10 s drain and 65 s keep-alive', () => {
    expect(readConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
    });
  });

  it('reads every variable', () => {
    expect(
      readConfig({ PORT: '9000', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '500', KEEP_ALIVE_TIMEOUT_MS: '70000' }),
    ).toEqual({ port: 9000, host: '127.0.0.1', logLevel: 'warn', shutdownTimeoutMs: 500, keepAliveTimeoutMs: 70_000 });
  });

  it.each([
    ['PORT', 'eighty', 'a whole number between 0 and 65535'],
    ['PORT', '70000', 'a whole number between 0 and 65535'],
    ['PORT', '-1', 'a whole number between 0 and 65535'],
    ['PORT', '80.5', 'a whole number between 0 and 65535'],
    ['LOG_LEVEL', 'verbose', 'one of debug, info, warn, error'],
    ['HOST', ' ', 'an address to listen on'],
    ['SHUTDOWN_TIMEOUT_MS', 'soon', 'a whole number between 0 and 600000'],
    ['KEEP_ALIVE_TIMEOUT_MS', '10', 'a whole number between 1000 and 600000'],
  ])('fails when %s is %j, naming the variable and the value', (name, value, expected) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(
      `Invalid environment variable ${name}=${JSON.stringify(value)}: expected ${expected}`,
    );
  });
});
