import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Lets `role` accept the endpoint connections of one endpoint service, and nothing more: describe
 * connections (the action takes no resource, so `*`, kept to the stack's region by its one
 * condition key) and accept them on that service's ARN only. Acknowledges the `*` on the role's
 * default policy, the one resource it is on. Shared by the pipeline's acceptor role and the
 * self-managed consumers' acceptor function, which run the same `acceptEndpointConnections`.
 */
export function grantConnectionAcceptance(role: iam.Role, endpointServiceId: string): void {
  const stack = Stack.of(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'DescribeConnections',
      actions: ['ec2:DescribeVpcEndpointConnections'],
      resources: ['*'],
      conditions: { StringEquals: { 'ec2:Region': stack.region } },
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'AcceptOnThisService',
      actions: ['ec2:AcceptVpcEndpointConnections'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'vpc-endpoint-service', resourceName: endpointServiceId })],
    }),
  );
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeVpcEndpointConnections supports no resource-level permissions (the service authorization reference lists no resource type for it), so it must be granted on *; it is read-only and limited to this region by ec2:Region. ec2:AcceptVpcEndpointConnections is on this endpoint service only.',
    });
  }
}
