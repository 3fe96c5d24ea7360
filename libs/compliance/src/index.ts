export * from './featureFlags';
export * from './PrivateApiApp';
export * from './runCdkApp';
export * from './PrivateLinkChecks';
export * as privateLinkRules from './rules';
export * from './validationReport';
