export * from './DeploymentConfig';
export * from './derived';
export * from './loadDeploymentConfig';
export { parseIpv4Cidr, overlaps, isAligned } from './cidr';
