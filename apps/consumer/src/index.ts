export * from './ConsumerEndpointStack';
export * from './ConsumerNetworkStack';
export * from './ConsumerStage';
