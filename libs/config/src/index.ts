export * from './availabilityZones';
export * from './DataTierConfig';
export * from './DeploymentConfig';
export * from './derived';
export * from './loadDeploymentConfig';
export * from './OperationsConfig';
export * from './ServiceConfig';
