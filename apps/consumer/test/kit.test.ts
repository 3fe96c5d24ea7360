import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  consumerAlarmName,
  consumerPrincipalArn,
  endpointServiceParameterArn,
  listenerPort,
  managedConsumers,
  selfManagedConsumers,
  type EnvironmentConfig,
  type SelfManagedConsumerConfig,
} from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { fixtureConfig, fixtureEnvironment, fixtureInput, writeConfigFile } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_CIDR_PATTERN,
  ConsumerKitStack,
  ENDPOINT_SERVICE_NAME_PATTERN,
  KIT_MARKER_FILE,
  writeConsumerKits,
  type ConsumerKitValues,
} from '../src/index';

const root = resolve(import.meta.dirname, '../../..');

function selfManagedOf(config: EnvironmentConfig): SelfManagedConsumerConfig {
  const [consumer] = selfManagedConsumers(config);
  if (!consumer) throw new Error('the fixture has a self-managed consumer');
  return consumer;
}

/** Runs the kit generator as `nx run consumer:kit` does, in a child process. */
function runKitGenerator(args: string[]) {
  return spawnSync(resolve(root, 'node_modules/.bin/tsx'), ['apps/consumer/src/kit/main.ts', ...args], { cwd: root, encoding: 'utf8' });
}

describe('ConsumerKitStack (fixture self-managed consumer)', () => {
  let config: EnvironmentConfig;
  let consumer: SelfManagedConsumerConfig;
  let template: Template;
  let findings: readonly unknown[];
  let assemblyDir: string;

  beforeAll(() => {
    // GIVEN the fixture's self-managed consumer, with two client ranges, and a packets-dropped threshold other than the default
    config = fixtureEnvironment('qa', (input) => {
      const [qa] = input.environments;
      if (!qa) throw new Error('the fixture has an environment');
      const entry = qa.consumers.find((candidate) => candidate.selfManaged === true);
      if (entry) entry.allowedClientCidrs = [...(entry.allowedClientCidrs ?? []), '10.77.0.0/16'];
      qa.provider.monitoring = { ...qa.provider.monitoring, consumerPacketsDropped: 9 };
    });
    consumer = selfManagedOf(config);
    // WHEN its kit is synthesized in a compliance-checked app
    assemblyDir = mkdtempSync(join(tmpdir(), 'consumer-kit-test-'));
    const app = new PrivateApiApp({ outdir: assemblyDir });
    const stack = new ConsumerKitStack(app, 'Kit', { config, consumer });
    findings = unacknowledgedFindings(app);
    template = Template.fromStack(stack);
  });

  it('has zero compliance findings', () => {
    expect(findings).toEqual([]);
  });

  it('needs no bootstrap and no assets', () => {
    const json = template.toJSON();
    expect(Object.keys(json.Parameters ?? {})).not.toContain('BootstrapVersion');
    expect(Object.keys(json.Rules ?? {})).not.toContain('CheckBootstrapVersion');
    expect(JSON.stringify(json)).not.toMatch(/cdk-[a-z0-9]+-(assets|deploy-role)|AssetParameters|aws:asset/);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::CDK::Metadata', 0);
    const manifest = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
    expect(Object.values(manifest.artifacts).map((artifact) => artifact.type)).not.toContain('cdk:asset-manifest');
  });

  it('takes the VPC, the subnets, one client range per configured CIDR and the service name as parameters', () => {
    template.hasParameter('VpcId', { Type: 'AWS::EC2::VPC::Id' });
    template.hasParameter('SubnetIds', { Type: 'List<AWS::EC2::Subnet::Id>' });
    expect(consumer.allowedClientCidrs.length).toBe(2);
    for (const [index, cidr] of consumer.allowedClientCidrs.entries()) {
      template.hasParameter(`ClientCidr${index}`, { Type: 'String', Default: cidr, AllowedPattern: CLIENT_CIDR_PATTERN });
    }
    const serviceName = template.findParameters('EndpointServiceName');
    expect(serviceName['EndpointServiceName']).toEqual(expect.objectContaining({ Type: 'String', AllowedPattern: ENDPOINT_SERVICE_NAME_PATTERN }));
    expect(serviceName['EndpointServiceName']?.Default).toBeUndefined();
  });

  it.each([
    ['10.0.0.0/8', true],
    ['192.168.0.0/24', true],
    ['172.31.255.255/32', true],
    ['0.0.0.0/0', false],
    ['10.0.0.0/7', false],
    ['10.0.0.0/33', false],
    ['256.0.0.0/16', false],
    ['10.0.0/16', false],
    ['10.0.0.0', false],
    ['any', false],
  ])('lets a ClientCidr be %s: %s', (value, allowed) => {
    expect(new RegExp(CLIENT_CIDR_PATTERN).test(value)).toBe(allowed);
  });

  it('asserts the consumer account and region before creating anything', () => {
    const rules = (template.toJSON() as { Rules: Record<string, unknown> }).Rules;
    expect(rules['InConsumerAccount']).toEqual({
      Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, consumer.account] }, AssertDescription: expect.stringContaining(consumer.account) }],
    });
    expect(rules['InConsumerRegion']).toEqual({
      Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, consumer.region] }, AssertDescription: expect.stringContaining(consumer.region) }],
    });
  });

  it('creates an interface endpoint whose security group admits only the ClientCidr parameters, on the listener port, and sends nothing', () => {
    const port = listenerPort(config);
    const groups = Object.entries(template.findResources('AWS::EC2::SecurityGroup'));
    expect(groups).toHaveLength(1);
    const [[groupId, group]] = groups as [[string, { Properties: Record<string, unknown> }]];
    expect(group.Properties['SecurityGroupIngress']).toEqual(
      consumer.allowedClientCidrs.map((_cidr, index) =>
        expect.objectContaining({ CidrIp: { Ref: `ClientCidr${index}` }, IpProtocol: 'tcp', FromPort: port, ToPort: port }),
      ),
    );
    // CDK's placeholder for "no egress": a rule no packet matches.
    expect(group.Properties['SecurityGroupEgress']).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      VpcId: { Ref: 'VpcId' },
      SubnetIds: { Ref: 'SubnetIds' },
      ServiceName: { Ref: 'EndpointServiceName' },
      SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }],
      PrivateDnsEnabled: false,
    });
    // Besides the endpoint and its security group, only the alarm and its topic (see below)
    const alarmTypes = ['AWS::CloudWatch::Alarm', 'AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy'];
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((resource) => resource.Type);
    expect(types.filter((type) => !alarmTypes.includes(type)).sort()).toEqual(['AWS::EC2::SecurityGroup', 'AWS::EC2::VPCEndpoint']);
    expect(types.filter((type) => alarmTypes.includes(type)).sort()).toEqual([...alarmTypes].sort());
  });

  it("alarms on the endpoint's dropped packets, with the endpoint, VPC and service name from the parameters, to an encrypted topic", () => {
    const [endpointId] = Object.keys(template.findResources('AWS::EC2::VPCEndpoint'));
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: consumerAlarmName(config, consumer),
      Namespace: 'AWS/PrivateLinkEndpoints',
      MetricName: 'PacketsDropped',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 9,
      EvaluationPeriods: 2,
      TreatMissingData: 'notBreaching',
      Dimensions: [
        { Name: 'Endpoint Type', Value: 'Interface' },
        { Name: 'Service Name', Value: { Ref: 'EndpointServiceName' } },
        { Name: 'VPC Endpoint Id', Value: { Ref: endpointId } },
        { Name: 'VPC Id', Value: { Ref: 'VpcId' } },
      ],
      AlarmActions: [{ Ref: topicId }],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': consumer.account } },
          }),
        ]),
      },
    });
  });

  it('outputs the endpoint id, its DNS name, its security group and the alarm topic', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['AlarmTopicArn', 'DnsName', 'EndpointId', 'SecurityGroupId']);
  });

  it('fails when the consumer names no client range', () => {
    expect(() => new ConsumerKitStack(new PrivateApiApp(), 'Empty', { config, consumer: { ...consumer, allowedClientCidrs: [] } })).toThrow(
      'ConsumerKitStack Empty: consumer.allowedClientCidrs must name at least one CIDR block, got []',
    );
  });
});

describe('kit generator', () => {
  it('writes template.json, values.json and README.md for each self-managed consumer, and nothing for the others (in process)', () => {
    // GIVEN the fixture config WHEN the kits are written into a new folder
    const config = fixtureConfig();
    const out = join(mkdtempSync(join(tmpdir(), 'kits-')), 'consumer-kits');
    writeConsumerKits(config, out);
    // THEN exactly the self-managed consumers have a kit, with the values they need
    const expected = config.environments.flatMap((environment) => selfManagedConsumers(environment).map((consumer) => ({ environment, consumer })));
    expect(expected.length).toBeGreaterThan(0);
    for (const environment of config.environments) {
      const written = existsSync(join(out, environment.name)) ? readdirSync(join(out, environment.name)).sort() : [];
      expect(written).toEqual(selfManagedConsumers(environment).map((consumer) => consumer.name).sort());
      for (const managed of managedConsumers(environment)) expect(written).not.toContain(managed.name);
    }
    for (const { environment, consumer } of expected) {
      const folder = join(out, environment.name, consumer.name);
      expect(readdirSync(folder).sort()).toEqual(['README.md', 'template.json', 'values.json']);
      const values = JSON.parse(readFileSync(join(folder, 'values.json'), 'utf8')) as ConsumerKitValues;
      const stackName = `${environment.serviceName}-${environment.name}-consumer-${consumer.name}-endpoint`;
      expect(values).toEqual({
        environment: environment.name,
        consumer: consumer.name,
        serviceName: null,
        serviceNameParameterArn: endpointServiceParameterArn(environment),
        serviceNameCommand: `aws ssm get-parameter --name ${endpointServiceParameterArn(environment)} --region ${environment.provider.region} --query Parameter.Value --output text`,
        region: consumer.region,
        account: consumer.account,
        port: listenerPort(environment),
        dnsName: null,
        zoneIds: environment.provider.availabilityZones.map((zone) => zone.id),
        allowedClientCidrs: consumer.allowedClientCidrs,
        principalArn: consumerPrincipalArn(consumer),
        stackName,
        alarmName: consumerAlarmName(environment, consumer),
      });
      const template = JSON.parse(readFileSync(join(folder, 'template.json'), 'utf8')) as { Parameters: Record<string, unknown> };
      expect(Object.keys(template.Parameters).sort()).toEqual(
        ['EndpointServiceName', 'SubnetIds', 'VpcId', ...consumer.allowedClientCidrs.map((_cidr, index) => `ClientCidr${index}`)].sort(),
      );
      const readme = readFileSync(join(folder, 'README.md'), 'utf8');
      expect(readme).toContain('aws ram accept-resource-share-invitation');
      expect(readme).toContain(values.serviceNameCommand);
      expect(readme).toContain(`aws cloudformation deploy --template-file template.json --stack-name ${stackName}`);
      expect(readme).toContain(`--parameter-overrides VpcId=<vpc-id> SubnetIds=<subnet-id>,<subnet-id> EndpointServiceName="$SERVICE_NAME" ClientCidr0=${consumer.allowedClientCidrs[0]}`);
      expect(readme).toContain(values.zoneIds.join(', '));
      expect(readme).toContain(`curl -sS -i http://<DnsName>:${values.port}${environment.service.smokeChecks[0]?.path}`);
      expect(readme).toContain(`aws cloudformation delete-stack --stack-name ${stackName}`);
      expect(readme).toContain(`The alarm \`${values.alarmName}\` notifies the \`AlarmTopicArn\` output`);
      expect(readme).toContain('aws sns subscribe --topic-arn <AlarmTopicArn>');
    }
  });

  it('runs from the command line with --config and --out, replacing what it wrote before', () => {
    // GIVEN a config file and a folder holding a stale kit from an earlier run
    const out = join(mkdtempSync(join(tmpdir(), 'kits-cli-')), 'consumer-kits');
    const configPath = writeConfigFile(fixtureInput());
    mkdirSync(join(out, 'qa', 'removed-consumer'), { recursive: true });
    writeFileSync(join(out, KIT_MARKER_FILE), '');
    // WHEN the generator runs again
    const result = runKitGenerator(['--config', configPath, '--out', out]);
    // THEN it writes the kits of the config, and only those
    expect(result.status, result.stderr).toBe(0);
    const config = fixtureConfig();
    for (const environment of config.environments) {
      for (const consumer of selfManagedConsumers(environment)) {
        expect(result.stdout).toContain(`Wrote the consumer kit of ${environment.name}/${consumer.name}`);
        expect(readdirSync(join(out, environment.name, consumer.name)).sort()).toEqual(['README.md', 'template.json', 'values.json']);
      }
    }
    expect(existsSync(join(out, 'qa', 'removed-consumer'))).toBe(false);
  });

  it('writes nothing, and says so, when no environment has a self-managed consumer', () => {
    // GIVEN a config whose consumers are all deployed by this repository
    const configPath = writeConfigFile(
      fixtureInput((input) => {
        for (const environment of input.environments) environment.consumers = environment.consumers.filter((consumer) => consumer.selfManaged !== true);
      }),
    );
    const out = join(mkdtempSync(join(tmpdir(), 'kits-none-')), 'consumer-kits');
    // WHEN the generator runs
    const result = runKitGenerator(['--config', configPath, '--out', out]);
    // THEN it succeeds without writing anything
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`No self-managed consumer in ${configPath}: no consumer kit written.`);
    expect(existsSync(out)).toBe(false);
  });

  it('fails without touching a folder it did not write', () => {
    const out = mkdtempSync(join(tmpdir(), 'kits-foreign-'));
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect(() => writeConsumerKits(fixtureConfig(), out)).toThrow(`--out ${out} is not empty and was not written by the kit generator`);
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });
});
