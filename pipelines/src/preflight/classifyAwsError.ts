/** What went wrong with an AWS call, as far as the preflight check cares. */
export type AwsErrorKind =
  | 'missing-credentials'
  | 'expired-credentials'
  | 'invalid-credentials'
  | 'access-denied'
  | 'throttled'
  | 'other';

/** Why an `AccessDenied` happened, when the error message says so. */
export type AccessDeniedCause =
  | 'missing-role'
  | 'service-control-policy'
  | 'resource-control-policy'
  | 'identity-policy'
  | 'permissions-boundary'
  | 'session-policy'
  | 'untrusted-or-missing';

export interface ClassifiedAwsError {
  readonly kind: AwsErrorKind;
  /** The error name (the AWS error code for service errors), e.g. `AccessDenied`. */
  readonly name: string;
  /** The error message on one line, shortened when very long. */
  readonly message: string;
  /** Only for `access-denied`. */
  readonly cause?: AccessDeniedCause;
}

const MAX_MESSAGE_LENGTH = 300;

const EXPIRED_NAMES = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const INVALID_NAMES = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidAccessKeyId',
]);
const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ThrottledException',
]);
const ACCESS_DENIED_NAMES = new Set(['AccessDenied', 'AccessDeniedException']);
const PROVIDER_ERROR_NAMES = new Set(['CredentialsProviderError', 'TokenProviderError', 'ProviderError']);

/** Collapses whitespace (so multi-line messages stay on one line) and shortens very long messages. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_LENGTH ? `${flat.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : flat;
}

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Error';
  const { name, code, Code } = error as { name?: unknown; code?: unknown; Code?: unknown };
  // Node's network errors are plain `Error`s; their `code` (ECONNREFUSED, ENOTFOUND...) says more.
  if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
  if (typeof Code === 'string' && Code !== '') return Code;
  if (typeof code === 'string' && code !== '') return code;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { message } = error as { message?: unknown };
    if (typeof message === 'string') return message;
  }
  return typeof error === 'string' ? error : String(error);
}

function isThrottling(error: unknown, name: string): boolean {
  if (THROTTLING_NAMES.has(name)) return true;
  if (typeof error !== 'object' || error === null) return false;
  const retryable = (error as { $retryable?: { throttling?: unknown } }).$retryable;
  return retryable?.throttling === true;
}

/** Reads the reason AWS gives in an AccessDenied message (the "enhanced" messages name the policy type). */
export function accessDeniedCause(message: string): AccessDeniedCause {
  const text = message.toLowerCase();
  if (/does not exist|cannot be found|nosuchentity/.test(text)) return 'missing-role';
  if (text.includes('service control policy')) return 'service-control-policy';
  if (text.includes('resource control policy')) return 'resource-control-policy';
  if (text.includes('permissions boundary')) return 'permissions-boundary';
  if (text.includes('session policy')) return 'session-policy';
  if (text.includes('identity-based policy')) return 'identity-policy';
  // "no resource-based policy allows" (the role's trust policy) and the plain "is not authorized to
  // perform: sts:AssumeRole": AWS answers the same for a role that does not exist.
  return 'untrusted-or-missing';
}

/** Sorts an error thrown by the AWS SDK (or anything else) into the cases the preflight check explains. */
export function classifyAwsError(error: unknown): ClassifiedAwsError {
  const name = errorName(error);
  const rawMessage = errorMessage(error);
  const message = oneLine(rawMessage);
  if (EXPIRED_NAMES.has(name)) return { kind: 'expired-credentials', name, message };
  if (PROVIDER_ERROR_NAMES.has(name) || /could not load credentials/i.test(rawMessage)) {
    // SSO: "The SSO session associated with this profile has expired ... run aws sso login".
    const kind = /expired/i.test(rawMessage) ? 'expired-credentials' : 'missing-credentials';
    return { kind, name, message };
  }
  if (INVALID_NAMES.has(name)) return { kind: 'invalid-credentials', name, message };
  if (isThrottling(error, name)) return { kind: 'throttled', name, message };
  if (ACCESS_DENIED_NAMES.has(name)) return { kind: 'access-denied', name, message, cause: accessDeniedCause(rawMessage) };
  return { kind: 'other', name, message };
}
