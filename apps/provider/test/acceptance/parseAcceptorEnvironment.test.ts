import { describe, expect, it } from 'vitest';
import { AcceptorConfigError, parseAcceptorEnvironment } from '../../src/acceptance/parseAcceptorEnvironment';

describe('parseAcceptorEnvironment', () => {
  it('reads the service id and the owners, trimmed and without duplicates', () => {
    // GIVEN the variables the construct sets
    const env = { SERVICE_ID: 'vpce-svc-0123456789abcdef0', ALLOWED_OWNERS: '210000000001, 210000000002,210000000001' };
    // WHEN they are read
    // THEN they come back validated
    expect(parseAcceptorEnvironment(env)).toEqual({
      serviceId: 'vpce-svc-0123456789abcdef0',
      allowedOwners: ['210000000001', '210000000002'],
    });
  });

  it('fails naming every missing or malformed variable', () => {
    // GIVEN no service id and an owner list with a short id
    const env = { ALLOWED_OWNERS: '210000000001,2100' };
    // WHEN they are read
    // THEN one error names both problems and the values
    expect(() => parseAcceptorEnvironment(env)).toThrow(AcceptorConfigError);
    expect(() => parseAcceptorEnvironment(env)).toThrow(
      'endpoint connection acceptor: SERVICE_ID must be a VPC endpoint service id (vpce-svc-…), got ""; ALLOWED_OWNERS must be comma-separated 12-digit account ids (at least one), got "210000000001,2100"',
    );
  });

  it('fails on an empty owner list', () => {
    expect(() => parseAcceptorEnvironment({ SERVICE_ID: 'vpce-svc-0123456789abcdef0', ALLOWED_OWNERS: ' ' })).toThrow(/ALLOWED_OWNERS must be/);
  });
});
