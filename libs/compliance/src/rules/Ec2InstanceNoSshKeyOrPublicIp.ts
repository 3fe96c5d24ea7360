import type { CfnResource } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance } from 'cdk-nag';
import { asList, field, isSet, isTrue, templateProperties } from './cfn';

/** True when one of the network interfaces asks for a public IPv4 address. */
function assignsPublicIp(networkInterfaces: unknown): boolean {
  return asList(networkInterfaces).some((networkInterface) => isTrue(field(networkInterface, 'associatePublicIpAddress')));
}

/**
 * EC2 instances (container instances included) have no SSH key pair and no public IP address,
 * so Session Manager is the only way in: launch templates (`LaunchTemplateData`), launch
 * configurations and instances set no `KeyName`, and none of their network interfaces (nor a
 * launch configuration itself) sets `AssociatePublicIpAddress` to true.
 */
export default function Ec2InstanceNoSshKeyOrPublicIp(node: CfnResource): NagRuleCompliance {
  const properties = templateProperties(node);
  let settings: { keyName: unknown; publicIp: boolean };
  if (node.cfnResourceType === ec2.CfnLaunchTemplate.CFN_RESOURCE_TYPE_NAME) {
    const data = properties['LaunchTemplateData'];
    settings = { keyName: field(data, 'keyName'), publicIp: assignsPublicIp(field(data, 'networkInterfaces')) };
  } else if (node.cfnResourceType === autoscaling.CfnLaunchConfiguration.CFN_RESOURCE_TYPE_NAME) {
    settings = { keyName: properties['KeyName'], publicIp: isTrue(properties['AssociatePublicIpAddress']) };
  } else if (node.cfnResourceType === ec2.CfnInstance.CFN_RESOURCE_TYPE_NAME) {
    settings = { keyName: properties['KeyName'], publicIp: assignsPublicIp(properties['NetworkInterfaces']) };
  } else {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return isSet(settings.keyName) || settings.publicIp ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
