import type { CfnResource } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance } from 'cdk-nag';
import { field, isSet, referencedResource, resourcesOfType, templateProperties } from './cfn';

const LAUNCH_TEMPLATE = ec2.CfnLaunchTemplate.CFN_RESOURCE_TYPE_NAME;

/** Metadata options that leave only IMDSv2: session tokens required, or the endpoint off altogether. */
function requiresImdsv2(metadataOptions: unknown): boolean {
  return field(metadataOptions, 'httpTokens') === 'required' || field(metadataOptions, 'httpEndpoint') === 'disabled';
}

function launchTemplateRequiresImdsv2(template: CfnResource): boolean {
  return requiresImdsv2(field(templateProperties(template)['LaunchTemplateData'], 'metadataOptions'));
}

/**
 * The launch template (of the instance's stack) that an instance's `LaunchTemplate` names: by
 * id (`Ref`), by `Fn::GetAtt`, or by a literal name equal to a template's `LaunchTemplateName`
 * (what `ec2.Instance` with `requireImdsv2` writes).
 */
function launchTemplateOf(node: CfnResource, specification: unknown): CfnResource | undefined {
  const id = field(specification, 'launchTemplateId');
  const name = field(specification, 'launchTemplateName');
  const byReference = referencedResource(node, id ?? name, LAUNCH_TEMPLATE);
  if (byReference !== undefined) return byReference;
  if (typeof name !== 'string') return undefined;
  return resourcesOfType(node, LAUNCH_TEMPLATE).find(
    (template) => templateProperties(template)['LaunchTemplateName'] === name,
  );
}

/**
 * EC2 instances (container instances included) allow only IMDSv2: launch templates and launch
 * configurations set `MetadataOptions.HttpTokens` to `required` (or turn the endpoint off). An
 * `AWS::EC2::Instance` passes with such `MetadataOptions` of its own or, when it has none, with a
 * `LaunchTemplate` that names a template of its stack which passes; anything else fails.
 */
export default function Ec2InstanceRequiresImdsv2(node: CfnResource): NagRuleCompliance {
  const properties = templateProperties(node);
  let compliant: boolean;
  if (node.cfnResourceType === LAUNCH_TEMPLATE) {
    compliant = launchTemplateRequiresImdsv2(node);
  } else if (node.cfnResourceType === autoscaling.CfnLaunchConfiguration.CFN_RESOURCE_TYPE_NAME) {
    compliant = requiresImdsv2(properties['MetadataOptions']);
  } else if (node.cfnResourceType === ec2.CfnInstance.CFN_RESOURCE_TYPE_NAME) {
    if (isSet(properties['MetadataOptions'])) {
      compliant = requiresImdsv2(properties['MetadataOptions']);
    } else {
      const template = launchTemplateOf(node, properties['LaunchTemplate']);
      compliant = template !== undefined && launchTemplateRequiresImdsv2(template);
    }
  } else {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return compliant ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
