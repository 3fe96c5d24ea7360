export * from './addProviderStacks';
export * from './ProviderNetworkStack';
export * from './ProviderServiceStack';
export * from './ProviderStage';
export * from './ServiceTaskDefinition';
export * from './ServiceEgress';
