import { ExpiredTokenException, RegionDisabledException, STSServiceException } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { accessDeniedCause, classifyAwsError, oneLine } from '../../src/preflight/index';

/** An error as the SDK throws it for an STS error code without a modelled class (AccessDenied, Throttling...). */
function stsError(name: string, message: string): STSServiceException {
  return new STSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const NOT_AUTHORIZED =
  'User: arn:aws:sts::210000000009:assumed-role/Admin/me is not authorized to perform: sts:AssumeRole on resource: ' +
  'arn:aws:iam::210000000001:role/cdk-hnb659fds-deploy-role-210000000001-us-east-2';

describe('classifyAwsError', () => {
  it('recognises missing credentials by name or message', () => {
    // GIVEN the errors the default credential chain throws
    // WHEN they are classified
    // THEN both are missing credentials
    expect(classifyAwsError(namedError('CredentialsProviderError', 'Could not load credentials from any providers'))).toEqual({
      kind: 'missing-credentials',
      name: 'CredentialsProviderError',
      message: 'Could not load credentials from any providers',
    });
    expect(classifyAwsError(new Error('Could not load credentials from any providers')).kind).toBe('missing-credentials');
  });

  it('recognises expired credentials: STS codes and an expired SSO session', () => {
    expect(classifyAwsError(stsError('ExpiredToken', 'The security token included in the request is expired')).kind).toBe(
      'expired-credentials',
    );
    expect(classifyAwsError(new ExpiredTokenException({ $metadata: {}, message: 'expired' })).kind).toBe('expired-credentials');
    expect(classifyAwsError(stsError('RequestExpired', 'Request has expired.')).kind).toBe('expired-credentials');
    expect(
      classifyAwsError(
        namedError(
          'CredentialsProviderError',
          'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login.',
        ),
      ).kind,
    ).toBe('expired-credentials');
  });

  it('recognises credentials AWS rejects', () => {
    expect(classifyAwsError(stsError('InvalidClientTokenId', 'The security token included in the request is invalid.')).kind).toBe(
      'invalid-credentials',
    );
  });

  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException'])('recognises %s as throttling', (name) => {
    expect(classifyAwsError(stsError(name, 'Rate exceeded')).kind).toBe('throttled');
  });

  it('recognises throttling the SDK marks as such', () => {
    const error = Object.assign(stsError('SlowDown', 'Please slow down'), { $retryable: { throttling: true } });
    expect(classifyAwsError(error).kind).toBe('throttled');
  });

  it('recognises AccessDenied and reads its cause', () => {
    expect(classifyAwsError(stsError('AccessDenied', NOT_AUTHORIZED))).toEqual({
      kind: 'access-denied',
      name: 'AccessDenied',
      message: NOT_AUTHORIZED,
      cause: 'untrusted-or-missing',
    });
  });

  it('keeps other errors with their name, on one line', () => {
    // GIVEN a modelled STS error, a network error and a thrown string
    const network = Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-east-2.amazonaws.com'), { code: 'ENOTFOUND' });
    // WHEN they are classified
    // THEN their names are kept
    expect(classifyAwsError(new RegionDisabledException({ $metadata: {}, message: 'STS is not activated' }))).toEqual({
      kind: 'other',
      name: 'RegionDisabledException',
      message: 'STS is not activated',
    });
    expect(classifyAwsError(network)).toEqual({
      kind: 'other',
      name: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND sts.us-east-2.amazonaws.com',
    });
    expect(classifyAwsError('boom')).toEqual({ kind: 'other', name: 'Error', message: 'boom' });
    expect(classifyAwsError(stsError('InternalFailure', 'first line\n  second line')).message).toBe('first line second line');
  });
});

describe('accessDeniedCause', () => {
  it.each([
    [`${NOT_AUTHORIZED}`, 'untrusted-or-missing'],
    [`${NOT_AUTHORIZED} because no resource-based policy allows the sts:AssumeRole action`, 'untrusted-or-missing'],
    ['The role with name cdk-hnb659fds-deploy-role-210000000001-us-east-2 cannot be found.', 'missing-role'],
    ['Role arn:aws:iam::210000000001:role/x does not exist', 'missing-role'],
    [`${NOT_AUTHORIZED} with an explicit deny in a service control policy`, 'service-control-policy'],
    [`${NOT_AUTHORIZED} with an explicit deny in a resource control policy`, 'resource-control-policy'],
    [`${NOT_AUTHORIZED} because no identity-based policy allows the sts:AssumeRole action`, 'identity-policy'],
    [`${NOT_AUTHORIZED} with an explicit deny in an identity-based policy`, 'identity-policy'],
    [`${NOT_AUTHORIZED} because no permissions boundary allows the sts:AssumeRole action`, 'permissions-boundary'],
    [`${NOT_AUTHORIZED} because no session policy allows the sts:AssumeRole action`, 'session-policy'],
  ])('%s → %s', (message, cause) => {
    expect(accessDeniedCause(message)).toBe(cause);
  });
});

describe('oneLine', () => {
  it('collapses whitespace and shortens very long text', () => {
    expect(oneLine('  a\n\tb  ')).toBe('a b');
    const long = oneLine('x'.repeat(1000));
    expect(long).toHaveLength(300);
    expect(long.endsWith('…')).toBe(true);
  });
});
