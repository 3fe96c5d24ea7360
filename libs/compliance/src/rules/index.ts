export { default as ApplicationLoadBalancerDropsInvalidHeaders } from './ApplicationLoadBalancerDropsInvalidHeaders';
export { default as ApplicationLoadBalancerIngressFromSecurityGroups } from './ApplicationLoadBalancerIngressFromSecurityGroups';
export { default as DatabaseRequiresTls } from './DatabaseRequiresTls';
export { default as DataTierIngressFromSecurityGroups } from './DataTierIngressFromSecurityGroups';
export { default as Ec2InstanceNoSshKeyOrPublicIp } from './Ec2InstanceNoSshKeyOrPublicIp';
export { default as Ec2InstanceRequiresImdsv2 } from './Ec2InstanceRequiresImdsv2';
export { default as EcsServiceIngressFromSecurityGroups } from './EcsServiceIngressFromSecurityGroups';
export { default as EcsServiceNoPublicIp } from './EcsServiceNoPublicIp';
export { default as EndpointServiceAcceptanceRequired } from './EndpointServiceAcceptanceRequired';
export { default as EndpointServiceAllowedPrincipals } from './EndpointServiceAllowedPrincipals';
export { default as InterfaceEndpointSecurityGroup } from './InterfaceEndpointSecurityGroup';
export { default as LoadBalancerInternal } from './LoadBalancerInternal';
export { default as NetworkLoadBalancerCrossZone } from './NetworkLoadBalancerCrossZone';
export { default as NetworkLoadBalancerSecurityGroup } from './NetworkLoadBalancerSecurityGroup';
export { default as SecurityGroupExplicitEgress } from './SecurityGroupExplicitEgress';
export { default as SecurityGroupNoSshOrInternetIngress } from './SecurityGroupNoSshOrInternetIngress';
export { default as RolePermissionsBoundary } from './RolePermissionsBoundary';
export {
  default as ServicePrincipalSourceConditions,
  servicePrincipalSourceConditions,
  sourceConditionKeysIn,
  sourceConditionKeysOf,
  type SourceConditionKeys,
} from './ServicePrincipalSourceConditions';
export { default as VpcEndpointPolicy } from './VpcEndpointPolicy';
