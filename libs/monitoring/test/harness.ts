import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';

export const env = { account: '131313131313', region: 'eu-north-1' };

/**
 * What a provider stack hands its monitoring: an ECS service behind an internal ALB, the ALB
 * behind an NLB, the NLB behind a VPC endpoint service, and optionally a database.
 */
export function serviceHarness(options: { app?: App; containerInsights?: ecs.ContainerInsights; database?: boolean } = {}) {
  const app = options.app ?? new App();
  const stack = new Stack(app, 'Service', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-north-1a', 'eu-north-1b'],
    natGateways: 0,
    createInternetGateway: false,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: options.containerInsights ?? ecs.ContainerInsights.ENABLED });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('api', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.37'), portMappings: [{ containerPort: 8080 }] });
  const service = new ecs.FargateService(stack, 'Api', { cluster, taskDefinition, desiredCount: 2 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
  const listener = alb.addListener('Listener', { port: 80, open: false });
  const targetGroup = listener.addTargets('Service', { port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targets: [service] });
  const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, internetFacing: false });
  nlb.addListener('Listener', { port: 80 }).addTargets('Alb', { port: 80, targets: [new elbv2Targets.AlbListenerTarget(listener)] });
  const endpointService = new ec2.VpcEndpointService(stack, 'EndpointService', {
    vpcEndpointServiceLoadBalancers: [nlb],
    allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::141414141414:root')],
  });
  const database = options.database
    ? new rds.DatabaseInstance(stack, 'Database', {
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        allocatedStorage: 50,
        storageEncrypted: true,
      })
    : undefined;
  return { app, stack, vpc, cluster, service, alb, listener, targetGroup, nlb, endpointService, database };
}
