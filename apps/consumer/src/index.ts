export * from './ConsumerEndpointStack';
export * from './ConsumerStacks';
export * from './ConsumerStage';
export * from './ConsumerSmokeTest';
export * from './EndpointAlarms';
export * from './ExistingConsumerVpc';
export * from './kit/ConsumerKitStack';
export * from './kit/consumerKit';
