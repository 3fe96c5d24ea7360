export * from './DeploymentConfig';
export * from './derived';
export * from './loadDeploymentConfig';
