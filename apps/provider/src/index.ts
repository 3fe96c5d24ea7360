export * from './ProviderNetworkStack';
export * from './ProviderServiceStack';
export * from './ProviderStage';
