export * from './ConsumerEndpoint';
export * from './PrivateApiEndpointService';
