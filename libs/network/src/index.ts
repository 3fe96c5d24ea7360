export * from './PrivateVpc';
