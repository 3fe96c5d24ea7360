import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  alarmReaderRoleName,
  bakeWatcherRoleArn,
  connectionAcceptorRoleName,
  consumerWaves,
  deploymentAlarmNames,
  smokeTestRunnerRoleArn,
  type EnvironmentConfig,
} from '@private-api/config';
import type { Construct } from 'constructs';
import { grantConnectionAcceptance } from './acceptance/grantConnectionAcceptance';
import { StackPart } from './StackPart';

export interface PipelineAccessProps {
  /** The environment: its pipeline section names the account the roles trust. */
  readonly config: EnvironmentConfig;
  /** The id (`vpce-svc-…`) of the endpoint service whose connections the acceptor may accept. */
  readonly endpointServiceId: string;
}

/**
 * The two provider-account roles the delivery pipeline assumes, each trusted by exactly the
 * pipeline-account roles of the steps that need it (`ArnEquals` on `aws:PrincipalArn`, so this
 * stack deploys before those roles exist) and allowed one narrow thing:
 * - the connection acceptor (wave steps, when the service requires acceptance and there are
 *   managed consumers): describe endpoint connections, accept them on this endpoint service only;
 * - the alarm reader (the bake step, when the environment bakes): read the deployment alarms.
 * Neither exists without a pipeline section: nothing would assume it.
 */
export class PipelineAccess extends StackPart {
  public readonly connectionAcceptor?: iam.Role;
  public readonly alarmReader?: iam.Role;

  public constructor(scope: Construct, id: string, props: PipelineAccessProps) {
    super(scope, id);
    const { config } = props;
    const pipeline = config.pipeline;
    if (!pipeline) return;
    const waves = consumerWaves(config);
    if (config.provider.acceptanceRequired && waves.length > 0) {
      this.connectionAcceptor = this.acceptor(
        pipeline.account,
        waves.map((_, index) => smokeTestRunnerRoleArn(config, index + 1)),
        props,
      );
    }
    if (config.provider.monitoring.bakeMinutes > 0) {
      this.alarmReader = this.reader(pipeline.account, props.config);
    }
  }

  private acceptor(pipelineAccount: string, runnerRoleArns: string[], props: PipelineAccessProps): iam.Role {
    const role = new iam.Role(this, 'ConnectionAcceptor', {
      roleName: connectionAcceptorRoleName(props.config),
      description: `Assumed by the ${props.config.name} pipeline's wave steps to accept their consumers' endpoint connections`,
      assumedBy: new iam.AccountPrincipal(pipelineAccount).withConditions({ ArnEquals: { 'aws:PrincipalArn': runnerRoleArns } }),
      maxSessionDuration: Duration.hours(1),
    });
    grantConnectionAcceptance(role, props.endpointServiceId);
    return role;
  }

  private reader(pipelineAccount: string, config: EnvironmentConfig): iam.Role {
    const role = new iam.Role(this, 'AlarmReader', {
      roleName: alarmReaderRoleName(config),
      description: `Assumed by the ${config.name} pipeline's bake step to read the deployment alarms`,
      assumedBy: new iam.AccountPrincipal(pipelineAccount).withConditions({
        ArnEquals: { 'aws:PrincipalArn': [bakeWatcherRoleArn(config)] },
      }),
      // The bake step's session is chained (CodeBuild's role assumes this one): an hour at most.
      maxSessionDuration: Duration.hours(1),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDeploymentAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: deploymentAlarmNames(config).map((name) =>
          Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        ),
      }),
    );
    return role;
  }
}
