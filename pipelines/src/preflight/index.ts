export { bootstrapCommand, type BootstrapCommandOptions } from './bootstrapCommand';
export { bootstrapRoleArn, DEFAULT_QUALIFIER, partitionFor, type BootstrapRoleKind } from './bootstrapRoleArn';
export {
  accessDeniedCause,
  classifyAwsError,
  oneLine,
  type AccessDeniedCause,
  type AwsErrorKind,
  type ClassifiedAwsError,
} from './classifyAwsError';
export { dedupeTargets, type MergedTarget, type PreflightTarget } from './dedupeTargets';
export { FAIL_MARK, formatTable, OK_MARK, type PreflightRow } from './formatTable';
export {
  assumeRoleFailureReason,
  credentialsProblemLine,
  DEFAULT_ROLES,
  EXPIRED_CREDENTIALS_LINE,
  MISSING_CREDENTIALS_LINE,
  PREFLIGHT_EXIT,
  runPreflight,
  THROTTLED_REASON,
  type AwsCredentialIdentity,
  type PreflightOptions,
  type PreflightRetryOptions,
} from './runPreflight';
