import { Template } from 'aws-cdk-lib/assertions';
import { managedConsumers, type EnvironmentConfig, type NewVpcConsumerConfig } from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { fixtureEnvironment } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsumerStage } from '../src/index';

type Statement = { Principal?: { Service?: string }; Condition?: Record<string, Record<string, unknown>> };

/** The trust statements of every role of a template, by logical id. */
function trusts(template: Template): Map<string, Statement[]> {
  return new Map(
    Object.entries(template.findResources('AWS::IAM::Role')).map(([id, role]) => [
      id,
      role.Properties.AssumeRolePolicyDocument.Statement as Statement[],
    ]),
  );
}

describe('the consumer network perimeter (fixture environment qa, new-VPC consumer)', () => {
  let config: EnvironmentConfig;
  let consumer: NewVpcConsumerConfig;
  let template: Template;

  beforeAll(() => {
    // GIVEN the fixture's new-VPC consumer
    config = fixtureEnvironment('qa');
    const found = managedConsumers(config).find((candidate): candidate is NewVpcConsumerConfig => candidate.kind === 'new-vpc');
    if (!found) throw new Error('the fixture has no new-VPC consumer');
    consumer = found;
    // WHEN its stage (one stack: the VPC and the endpoint) is synthesized
    const stage = new ConsumerStage(new PrivateApiApp(), 'Consumer', { config, consumer });
    template = Template.fromStack(stage.endpointStack);
  });

  it('creates no AWS service endpoint without a policy: its VPC needs none, and the only endpoint is the PrivateLink one', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint'));
    const serviceEndpoints = endpoints.filter(
      (resource) => !/^\{"Ref":"ProviderEndpointServiceName/.test(JSON.stringify(resource.Properties.ServiceName)),
    );
    expect(serviceEndpoints.every((resource) => resource.Properties.PolicyDocument !== undefined)).toBe(true);
    expect(endpoints).toHaveLength(1);
    // An endpoint to an endpoint service (NLB) takes no policy: the service evaluates no IAM (see ConsumerEndpoint)
    expect(endpoints[0]?.Properties.PolicyDocument).toBeUndefined();
    expect(endpoints[0]?.Properties.ServiceName).toEqual({ Ref: expect.stringMatching(/^ProviderEndpointServiceName/) });
  });

  it('trusts flow logs only for the consumer account, and leaves the smoke function (Lambda) alone', () => {
    const [flowLog] = [...trusts(template).entries()].filter(([id]) => /FlowLog/.test(id)).map(([, statements]) => statements);
    expect(flowLog).toEqual([
      expect.objectContaining({
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': consumer.account } }),
      }),
    ]);
    const lambdaStatements = [...trusts(template).values()].flat().filter((statement) => statement.Principal?.Service === 'lambda.amazonaws.com');
    expect(lambdaStatements.length).toBeGreaterThan(0);
    for (const statement of lambdaStatements) expect(statement.Condition).toBeUndefined();
  });
});
