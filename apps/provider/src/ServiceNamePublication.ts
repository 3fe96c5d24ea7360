import { CfnOutput } from 'aws-cdk-lib';
import * as ram from 'aws-cdk-lib/aws-ram';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { consumerAccounts, endpointServiceParameterName, ramAllowsExternalPrincipals, type EnvironmentConfig } from '@private-api/config';
import type { Construct } from 'constructs';
import { StackPart } from './StackPart';

/**
 * How consumers learn the endpoint service name without anyone copying it: an advanced-tier
 * SSM parameter (the only tier AWS RAM shares) shared with the consumer accounts, and two stack
 * outputs (the name, which the pipeline reads, and the parameter's ARN).
 */
export class ServiceNamePublication extends StackPart {
  public readonly parameter: ssm.StringParameter;
  /** The endpoint service name as a stack output (the pipeline reads it with `envFromCfnOutputs`). */
  public readonly serviceNameOutput: CfnOutput;

  public constructor(scope: Construct, id: string, props: { readonly config: EnvironmentConfig; readonly serviceName: string }) {
    super(scope, id);
    const { config } = props;
    this.parameter = new ssm.StringParameter(this, 'EndpointServiceName', {
      parameterName: endpointServiceParameterName(config),
      stringValue: props.serviceName,
      tier: ssm.ParameterTier.ADVANCED,
      description: `VPC endpoint service name of ${config.serviceName}, shared with its consumer accounts`,
    });
    new ram.CfnResourceShare(this, 'EndpointServiceNameShare', {
      name: `${config.serviceName}-endpoint-service-name`,
      resourceArns: [this.parameter.parameterArn],
      principals: consumerAccounts(config),
      // False only when the config states the Organization and every consumer is inside it:
      // RAM then refuses any account outside it (README, "Consumers and the AWS Organization").
      allowExternalPrincipals: ramAllowsExternalPrincipals(config),
    });
    this.serviceNameOutput = new CfnOutput(this, 'EndpointServiceNameOutput', {
      description: 'Service name consumers create interface endpoints with',
      value: props.serviceName,
    });
    new CfnOutput(this, 'EndpointServiceNameParameterArn', {
      description: 'ARN of the shared SSM parameter holding the service name',
      value: this.parameter.parameterArn,
    });
  }
}
