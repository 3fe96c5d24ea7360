export * from './featureFlags';
export * from './PrivateApiApp';
export * from './runCdkApp';
