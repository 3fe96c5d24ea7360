import { mkdirSync, mkdtempSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  consumerAlarmName,
  consumerPrincipalArn,
  endpointServiceParameterArn,
  environmentsOf,
  listenerPort,
  selfManagedConsumers,
  type DeploymentConfig,
  type EnvironmentConfig,
  type SelfManagedConsumerConfig,
} from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { ConsumerKitStack } from './ConsumerKitStack';

/** The file that marks a folder as written by the kit generator (so it may be replaced). */
export const KIT_MARKER_FILE = '.consumer-kits';

/** What a self-managed consumer needs to deploy its endpoint: `values.json` of its kit. */
export interface ConsumerKitValues {
  readonly environment: string;
  readonly consumer: string;
  /** Known only after the provider is deployed: read it with `serviceNameCommand`. */
  readonly serviceName: null;
  readonly serviceNameParameterArn: string;
  readonly serviceNameCommand: string;
  readonly region: string;
  readonly account: string;
  readonly port: number;
  /** No private DNS name yet: clients call the endpoint's own DNS name (stack output `DnsName`). */
  readonly dnsName: null;
  /** Zone IDs where the provider's NLB is: the endpoint's subnets must be in these zones. */
  readonly zoneIds: readonly string[];
  readonly allowedClientCidrs: readonly string[];
  /** The principal the provider allows to create the endpoint. */
  readonly principalArn: string;
  readonly stackName: string;
  /** The endpoint's packets-dropped alarm; it notifies the stack output `AlarmTopicArn`. */
  readonly alarmName: string;
}

/** The three files of one kit. */
export interface ConsumerKit {
  readonly environment: string;
  readonly consumer: string;
  readonly template: unknown;
  readonly values: ConsumerKitValues;
  readonly readme: string;
}

/** Name of the stack the consumer deploys the kit as. */
export function kitStackName(config: EnvironmentConfig, consumer: SelfManagedConsumerConfig): string {
  return `${config.serviceName}-${config.name}-consumer-${consumer.name}-endpoint`;
}

/**
 * Synthesizes one consumer's kit template in a compliance-checked app (a finding throws
 * `ComplianceError`) and describes how to deploy it.
 */
export function buildConsumerKit(config: EnvironmentConfig, consumer: SelfManagedConsumerConfig): ConsumerKit {
  const outdir = mkdtempSync(join(tmpdir(), 'consumer-kit-'));
  try {
    const app = new PrivateApiApp({ outdir });
    const stack = new ConsumerKitStack(app, `ConsumerKit-${config.name}-${consumer.name}`, {
      config,
      consumer,
      stackName: kitStackName(config, consumer),
    });
    const template: unknown = app.synth().getStackByName(stack.stackName).template;
    const values = kitValues(config, consumer);
    return { environment: config.name, consumer: consumer.name, template, values, readme: kitReadme(config, values, stack) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function kitValues(config: EnvironmentConfig, consumer: SelfManagedConsumerConfig): ConsumerKitValues {
  const parameterArn = endpointServiceParameterArn(config);
  return {
    environment: config.name,
    consumer: consumer.name,
    serviceName: null,
    serviceNameParameterArn: parameterArn,
    // A parameter shared through AWS RAM is addressed by its full ARN from the other account.
    serviceNameCommand: `aws ssm get-parameter --name ${parameterArn} --region ${config.provider.region} --query Parameter.Value --output text`,
    region: consumer.region,
    account: consumer.account,
    port: listenerPort(config),
    dnsName: null,
    zoneIds: config.provider.availabilityZones.map((zone) => zone.id),
    allowedClientCidrs: consumer.allowedClientCidrs,
    principalArn: consumerPrincipalArn(consumer),
    stackName: kitStackName(config, consumer),
    alarmName: consumerAlarmName(config, consumer),
  };
}

function kitReadme(config: EnvironmentConfig, values: ConsumerKitValues, stack: ConsumerKitStack): string {
  const cidrOverrides = stack.clientCidrs.map((parameter, index) => `ClientCidr${index}=${values.allowedClientCidrs[index] ?? parameter.logicalId}`);
  const scheme = config.provider.certificateArn ? 'https' : 'http';
  const firstCheck = config.service.smokeChecks[0]?.path ?? config.service.healthCheckPath;
  return `# Consumer kit: ${config.serviceName} (${config.name}) for ${values.consumer}

This kit creates a private connection from your VPC to ${config.serviceName}: an interface VPC
endpoint (AWS PrivateLink) and its security group, with plain CloudFormation in account
${values.account}, region ${values.region}, and a CloudWatch alarm on the packets the endpoint drops
that notifies an SNS topic encrypted with its own KMS key. Nothing else is created; the API never
reaches the internet.

Files: \`template.json\` (the CloudFormation template), \`values.json\` (every value below, for scripts).

## 1. Accept the resource share

The provider shares the parameter holding its endpoint service name with account ${values.account}
through AWS RAM. Accept the invitation (once per account):

\`\`\`sh
aws ram get-resource-share-invitations --region ${values.region}
aws ram accept-resource-share-invitation --resource-share-invitation-arn <invitation ARN> --region ${values.region}
\`\`\`

## 2. Get the endpoint service name

If the kit contains \`endpoint-service-name.txt\`, that is it. Otherwise read it:

\`\`\`sh
SERVICE_NAME=$(${values.serviceNameCommand})
\`\`\`

## 3. Deploy

Pick subnets of your VPC, at most one per zone, **only in zone IDs ${values.zoneIds.join(', ')}** (the
provider serves no other zone; \`aws ec2 describe-subnets --query 'Subnets[].[SubnetId,AvailabilityZoneId]'\`
shows each subnet's zone ID). The client ranges default to the ones the provider admits
(${values.allowedClientCidrs.join(', ')}); you may narrow them.

\`\`\`sh
aws cloudformation deploy --template-file template.json --stack-name ${values.stackName} \\
  --region ${values.region} \\
  --parameter-overrides VpcId=<vpc-id> SubnetIds=<subnet-id>,<subnet-id> EndpointServiceName="$SERVICE_NAME" ${cidrOverrides.join(' ')}
\`\`\`

The template refuses to deploy outside account ${values.account} or region ${values.region}.

## 4. Ask the provider to accept the connection

Send the provider the \`EndpointId\` output; traffic flows once they accept it:

\`\`\`sh
aws cloudformation describe-stacks --stack-name ${values.stackName} --region ${values.region} --query 'Stacks[0].Outputs'
\`\`\`

## 5. Test

From a host inside one of the client ranges (there is no private DNS name yet: call the
endpoint's own name, the \`DnsName\` output):

\`\`\`sh
curl -sS -i ${scheme}://<DnsName>:${values.port}${firstCheck}
\`\`\`

## 6. Hear about dropped packets

The alarm \`${values.alarmName}\` notifies the \`AlarmTopicArn\` output; subscribe to it:

\`\`\`sh
aws sns subscribe --topic-arn <AlarmTopicArn> --protocol email --notification-endpoint <you@example.com> --region ${values.region}
\`\`\`

## Offboarding

Delete the stack, then tell the provider, who removes ${values.principalArn} from its allowed
principals:

\`\`\`sh
aws cloudformation delete-stack --stack-name ${values.stackName} --region ${values.region}
\`\`\`
`;
}

/** Every self-managed consumer's kit, in every environment, in config order. */
export function buildConsumerKits(config: DeploymentConfig): ConsumerKit[] {
  return environmentsOf(config).flatMap((environment) =>
    selfManagedConsumers(environment).map((consumer) => buildConsumerKit(environment, consumer)),
  );
}

/**
 * Writes `<outDir>/<environment>/<consumer>/{template.json, values.json, README.md}` for every
 * kit, replacing what an earlier run wrote there. Builds every kit first, so a failing one
 * leaves the folder untouched.
 *
 * @throws Error when `outDir` holds files the generator did not write
 * @returns the kits written (none when the config has no self-managed consumer: nothing is written)
 */
export function writeConsumerKits(config: DeploymentConfig, outDir: string): ConsumerKit[] {
  const kits = buildConsumerKits(config);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    if (!existsSync(join(outDir, KIT_MARKER_FILE))) {
      throw new Error(`--out ${outDir} is not empty and was not written by the kit generator: choose an empty or new folder`);
    }
    // A consumer removed from the config must not keep a stale kit.
    rmSync(outDir, { recursive: true, force: true });
  }
  if (kits.length === 0) return kits;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, KIT_MARKER_FILE), 'Written by apps/consumer/src/kit/main.ts; replaced on every run.\n');
  for (const kit of kits) {
    const folder = join(outDir, kit.environment, kit.consumer);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'template.json'), `${JSON.stringify(kit.template, null, 2)}\n`);
    writeFileSync(join(folder, 'values.json'), `${JSON.stringify(kit.values, null, 2)}\n`);
    writeFileSync(join(folder, 'README.md'), kit.readme);
  }
  return kits;
}
