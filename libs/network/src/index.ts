export * from './PrivateVpc';
export * from './endpointPolicies';
