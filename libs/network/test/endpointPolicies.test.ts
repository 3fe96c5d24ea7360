import { App, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import {
  ENDPOINT_POLICIES,
  ecrEndpointStatements,
  logsEndpointStatements,
  s3EndpointStatements,
  secretsManagerEndpointStatements,
  ssmAgentEndpointStatements,
  ssmEndpointStatements,
  type EndpointPolicyScope,
} from '../src/index';

// A library test cannot use the fixture configs (libs/testing is for apps): its own values.
const scope: EndpointPolicyScope = {
  account: '310000000001',
  region: 'ap-southeast-2',
  resourceAccounts: ['310000000009'],
  partition: 'aws',
};

function json(statements: iam.PolicyStatement[]): unknown[] {
  const stack = new Stack(new App(), 'Policies');
  return statements.map((statement) => stack.resolve(statement.toStatementJson()));
}

describe('endpoint policy statements', () => {
  it("S3: ECR's layer bucket of the region to anybody (ECR signs the download), our own buckets to our own principals", () => {
    expect(json(s3EndpointStatements(scope))).toEqual([
      {
        Sid: 'EcrImageLayers',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::prod-ap-southeast-2-starport-layer-bucket/*',
      },
      {
        Sid: 'OwnAccountBuckets',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:GetBucketLocation'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': '310000000001', 'aws:ResourceAccount': '310000000001' } },
      },
    ]);
  });

  it("ECR: a token and pulls from our and the image account's repositories, by our principals, and no push", () => {
    const statements = json(ecrEndpointStatements(scope));
    expect(statements).toEqual([
      {
        Sid: 'AuthorizationToken',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'ecr:GetAuthorizationToken',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': '310000000001' } },
      },
      {
        Sid: 'PullImages',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: [
          'arn:aws:ecr:ap-southeast-2:310000000001:repository/*',
          'arn:aws:ecr:ap-southeast-2:310000000009:repository/*',
        ],
        Condition: { StringEquals: { 'aws:PrincipalAccount': '310000000001' } },
      },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/PutImage|UploadLayerPart|InitiateLayerUpload/);
  });

  it("Logs: streams and events into our account's log groups only", () => {
    expect(json(logsEndpointStatements(scope))).toEqual([
      {
        Sid: 'WriteOwnLogGroups',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: 'arn:aws:logs:ap-southeast-2:310000000001:log-group:*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': '310000000001' } },
      },
    ]);
  });

  it('Secrets Manager and SSM: read-only, resources of our and the resource accounts, our principals', () => {
    const condition = {
      StringEquals: { 'aws:PrincipalAccount': '310000000001', 'aws:ResourceAccount': ['310000000001', '310000000009'] },
    };
    expect(json(secretsManagerEndpointStatements(scope))).toEqual([
      {
        Sid: 'ReadSecrets',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: '*',
        Condition: condition,
      },
    ]);
    expect(json(ssmEndpointStatements(scope))).toEqual([
      {
        Sid: 'ReadParameters',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['ssm:GetParameters', 'ssm:GetParameter'],
        Resource: '*',
        Condition: condition,
      },
    ]);
  });

  it('names the resource account once when it is the own account', () => {
    const [statement] = json(ssmEndpointStatements({ ...scope, resourceAccounts: ['310000000001'] }));
    expect(statement).toMatchObject({
      Condition: { StringEquals: { 'aws:ResourceAccount': '310000000001' } },
    });
  });

  it('uses the deploy-time partition unless told otherwise', () => {
    const [statement] = json(logsEndpointStatements({ account: '310000000001', region: 'ap-southeast-2' }));
    expect(JSON.stringify(statement)).toContain('{"Ref":"AWS::Partition"}');
  });

  it('knows every endpoint a Fargate task or an EC2 container instance without NAT needs, and both ECR endpoints share one policy', () => {
    expect(Object.keys(ENDPOINT_POLICIES).sort()).toEqual(
      ['ec2messages', 'ecr.api', 'ecr.dkr', 'ecs', 'ecs-agent', 'ecs-telemetry', 'logs', 's3', 'secretsmanager', 'ssm', 'ssmmessages'].sort(),
    );
    expect(ENDPOINT_POLICIES['ecr.api']).toBe(ENDPOINT_POLICIES['ecr.dkr']);
  });

  it.each(['ecs', 'ecs-agent', 'ecs-telemetry', 'ssmmessages', 'ec2messages'])(
    "%s: the agent's actions for our own principals only, with no resource-account condition (most of them name no resource)",
    (name) => {
      const builder = ENDPOINT_POLICIES[name];
      if (!builder) throw new Error(`no policy for ${name}`);
      const [statement, ...rest] = json(builder(scope)) as { Principal: unknown; Action: string; Condition: unknown }[];
      expect(rest).toEqual([]);
      expect(statement?.Principal).toEqual({ AWS: '*' });
      expect(statement?.Action).toBe(`${name.startsWith('ecs') ? 'ecs' : name}:*`);
      expect(statement?.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': scope.account } });
    },
  );

  it("SSM Agent (container instances): registration and associations for our own principals, no parameter reads", () => {
    const [statement] = json(ssmAgentEndpointStatements(scope)) as { Action: string[]; Condition: unknown }[];
    expect(statement?.Action).toContain('ssm:UpdateInstanceInformation');
    expect(statement?.Action.filter((action) => action.startsWith('ssm:GetParameter'))).toEqual([]);
    expect(statement?.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': scope.account } });
  });
});
