export * from './featureFlags';
export * from './PrivateApiApp';
export * from './runCdkApp';
export * from './PrivateLinkChecks';
export * from './validationReport';
export * from './BoundedRoles';
export * from './ConfusedDeputyProtection';
