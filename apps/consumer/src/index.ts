export * from './ConsumerEndpointStack';
export * from './ConsumerNetworkStack';
export * from './ConsumerStage';
export * from './ConsumerSmokeTest';
