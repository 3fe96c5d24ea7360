import { App, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { NagRuleCompliance } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  BoundedRoles,
  DEPLOY_PATH_RULES,
  PRIVATE_LINK_RULES,
  PrivateLinkChecks,
  SOURCE_CONDITION_SERVICES,
} from '../src/index';
import { servicePrincipalSourceConditions, sourceConditionKeysIn, sourceConditionKeysOf } from '../src/rules';

const env = { account: '111111111111', region: 'eu-west-1' };

function newStack(app = new App()): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(app, 'Test', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    restrictDefaultSecurityGroup: false,
  });
  return { stack, vpc };
}

/**
 * Builds the smallest stack for a case, synthesizes it (so aspects such as BoundedRoles have
 * run, as they have when the plugin runs in an app) and returns the deploy-path findings as
 * `<rule> <construct path>`.
 */
function findings(build: (stack: Stack, vpc: ec2.Vpc) => void): string[] {
  const { stack, vpc } = newStack();
  build(stack, vpc);
  if (stack.node.root instanceof App) stack.node.root.synth();
  const ids = new Set(DEPLOY_PATH_RULES.map((rule) => `PrivateLink-${rule.id}`));
  return new PrivateLinkChecks(undefined)
    .validateScope(stack)
    .violations.filter((violation) => ids.has(violation.ruleName))
    .flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath ?? ''}`));
}

function rulesFailing(build: (stack: Stack, vpc: ec2.Vpc) => void): string[] {
  return [...new Set(findings(build).map((finding) => finding.split(' ')[0]))];
}

const BOUNDARY = { boundaryName: 'fixture-api-permissions-boundary', namePrefix: 'fixture-api-' };

describe('deploy-path rules', () => {
  it('have ids unique across the whole pack, each with a fix', () => {
    const ids = [...PRIVATE_LINK_RULES, ...DEPLOY_PATH_RULES].map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(DEPLOY_PATH_RULES.map((rule) => rule.id)).toEqual(['IAM1', 'VPCE2', 'IAM2']);
    for (const rule of DEPLOY_PATH_RULES) expect(rule.explanation).toMatch(/Fix: /);
  });

  describe('PrivateLink-IAM1 permissions boundary on every role', () => {
    it('fails for an L2 role and a raw AWS::IAM::Role (as custom-resource providers create) without a boundary', () => {
      const found = findings((stack) => {
        new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        new CfnResource(stack, 'ProviderRole', {
          type: 'AWS::IAM::Role',
          properties: {
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            },
          },
        });
      });
      expect(found.filter((finding) => finding.startsWith('PrivateLink-IAM1 ')).sort()).toEqual([
        'PrivateLink-IAM1 Test/ProviderRole',
        'PrivateLink-IAM1 Test/Role/Resource',
      ]);
    });

    it('fails for a literal boundary that is not a managed policy ARN', () => {
      expect(
        rulesFailing((stack) => {
          new iam.CfnRole(stack, 'Role', {
            assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole' }] },
            permissionsBoundary: 'fixture-api-permissions-boundary',
          });
        }),
      ).toContain('PrivateLink-IAM1');
    });

    it('passes for every role once BoundedRoles has set the boundary as a raw override', () => {
      const found = findings((stack) => {
        new iam.Role(stack, 'Role', { roleName: 'fixture-api-role', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        new CfnResource(stack, 'ProviderRole', {
          type: 'AWS::IAM::Role',
          properties: { RoleName: 'fixture-api-provider-role', AssumeRolePolicyDocument: { Statement: [] } },
        });
        BoundedRoles.applyTo(stack, BOUNDARY);
      });
      expect(found.filter((finding) => finding.startsWith('PrivateLink-IAM1'))).toEqual([]);
    });

    it('passes for an L2 role with a boundary built from the account and partition', () => {
      const found = rulesFailing((stack) => {
        new iam.Role(stack, 'Role', {
          assumedBy: new iam.AccountPrincipal('111111111111'),
          permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', BOUNDARY.boundaryName),
        });
      });
      expect(found).not.toContain('PrivateLink-IAM1');
    });
  });

  describe('PrivateLink-VPCE2 endpoint policies', () => {
    it('fails for gateway and interface endpoints to AWS services without a policy', () => {
      const found = findings((_stack, vpc) => {
        vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
        vpc.addInterfaceEndpoint('Logs', { service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS });
      });
      expect(found.filter((finding) => finding.startsWith('PrivateLink-VPCE2')).sort()).toEqual([
        'PrivateLink-VPCE2 Test/Vpc/Logs/Resource',
        'PrivateLink-VPCE2 Test/Vpc/S3/Resource',
      ]);
    });

    it('fails when the policy allows any principal any action without a condition (the default, written out)', () => {
      const found = rulesFailing((_stack, vpc) => {
        const endpoint = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
        endpoint.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: ['arn:aws:s3:::layer/*'] }));
        endpoint.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['*'], resources: ['*'] }));
      });
      expect(found).toContain('PrivateLink-VPCE2');
    });

    it('fails for an interface endpoint whose service name comes from an SSM parameter it cannot read', () => {
      const found = rulesFailing((stack, vpc) => {
        const serviceName = new CfnParameter(stack, 'ServiceName', { type: 'AWS::SSM::Parameter::Value<String>', default: '/svc/name' });
        vpc.addInterfaceEndpoint('Api', { service: new ec2.InterfaceVpcEndpointService(serviceName.valueAsString, 80) });
      });
      expect(found).toContain('PrivateLink-VPCE2');
    });

    it('passes for endpoints whose policy names actions and resources, or conditions a wildcard', () => {
      const found = rulesFailing((_stack, vpc) => {
        const s3 = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
        s3.addToPolicy(
          new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*'] }),
        );
        const logs = vpc.addInterfaceEndpoint('Logs', { service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS });
        logs.addToPolicy(
          new iam.PolicyStatement({
            principals: [new iam.AnyPrincipal()],
            actions: ['*'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:PrincipalAccount': '111111111111' } },
          }),
        );
      });
      expect(found).not.toContain('PrivateLink-VPCE2');
    });

    it('exempts interface endpoints to a PrivateLink endpoint service, literal or from a parameter that admits only such names', () => {
      const found = rulesFailing((stack, vpc) => {
        vpc.addInterfaceEndpoint('Partner', {
          service: new ec2.InterfaceVpcEndpointService(`com.amazonaws.vpce.eu-west-1.vpce-svc-${'0a'.repeat(8)}1`, 443),
        });
        const serviceName = new CfnParameter(stack, 'EndpointServiceName', {
          type: 'String',
          allowedPattern: '^com\\.amazonaws\\.vpce\\.[a-z0-9-]+\\.vpce-svc-[0-9a-f]+$',
        });
        vpc.addInterfaceEndpoint('Api', { service: new ec2.InterfaceVpcEndpointService(serviceName.valueAsString, 80) });
        // CloudFormation anchors AllowedPattern itself (the consumer kit writes it without ^)
        const unanchored = new CfnParameter(stack, 'KitServiceName', {
          type: 'String',
          allowedPattern: 'com\\.amazonaws\\.vpce\\.[a-z0-9-]+\\.vpce-svc-[0-9a-f]+',
        });
        vpc.addInterfaceEndpoint('Kit', { service: new ec2.InterfaceVpcEndpointService(unanchored.valueAsString, 80) });
      });
      expect(found).not.toContain('PrivateLink-VPCE2');
    });

    it('does not trust a parameter pattern with an alternation', () => {
      const found = rulesFailing((stack, vpc) => {
        const serviceName = new CfnParameter(stack, 'EndpointServiceName', {
          type: 'String',
          allowedPattern: 'com\\.amazonaws\\.vpce\\..*|com\\.amazonaws\\..*',
        });
        vpc.addInterfaceEndpoint('Api', { service: new ec2.InterfaceVpcEndpointService(serviceName.valueAsString, 80) });
      });
      expect(found).toContain('PrivateLink-VPCE2');
    });
  });

  describe('PrivateLink-IAM2 source conditions for service principals', () => {
    it('fails for an ECS task role trusting ecs-tasks.amazonaws.com without a condition', () => {
      const found = findings((stack) => {
        new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
      });
      expect(found).toContain('PrivateLink-IAM2 Test/TaskRole/Resource');
    });

    it('fails for a KMS key policy letting a listed service principal in without a condition', () => {
      const found = findings((stack) => {
        new kms.Key(stack, 'Key', { enableKeyRotation: true }).addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com')],
            actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            resources: ['*'],
          }),
        );
      });
      expect(found).toContain('PrivateLink-IAM2 Test/Key/Resource');
    });

    it('passes with aws:SourceAccount or aws:SourceArn on the statement, and ignores Deny statements', () => {
      const found = rulesFailing((stack) => {
        new iam.Role(stack, 'TaskRole', {
          assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
            ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:eu-west-1:111111111111:*' },
            StringEquals: { 'aws:SourceAccount': '111111111111' },
          }),
        });
        const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
        key.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com')],
            actions: ['kms:Decrypt'],
            resources: ['*'],
            conditions: { StringEquals: { 'AWS:SourceAccount': '111111111111' } },
          }),
        );
        key.addToResourcePolicy(
          new iam.PolicyStatement({
            effect: iam.Effect.DENY,
            principals: [new iam.ServicePrincipal('codebuild.amazonaws.com')],
            actions: ['kms:ScheduleKeyDeletion'],
            resources: ['*'],
          }),
        );
      });
      expect(found).not.toContain('PrivateLink-IAM2');
    });

    it('leaves alone service principals the shared table marks unsupported (lambda, vpce) or does not list', () => {
      expect(
        rulesFailing((stack) => {
          new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
          new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
          new kms.Key(stack, 'Key', { enableKeyRotation: true }).addToResourcePolicy(
            new iam.PolicyStatement({ principals: [new iam.ServicePrincipal('vpce.amazonaws.com')], actions: ['kms:Decrypt'], resources: ['*'] }),
          );
        }),
      ).not.toContain('PrivateLink-IAM2');
    });

    it('fails a key that lets CloudWatch (alarm actions) use it without naming the alarm account and alarm, passes one that does', () => {
      const grantTo = (conditions: Record<string, Record<string, string>> | undefined) => (stack: Stack) => {
        new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }).addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            resources: ['*'],
            conditions,
          }),
        );
      };
      expect(rulesFailing(grantTo(undefined))).toContain('PrivateLink-IAM2');
      expect(
        rulesFailing(
          grantTo({
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:svc-prod-*' },
          }),
        ),
      ).not.toContain('PrivateLink-IAM2');
    });

    it('requires exactly the keys the shared table documents', () => {
      expect(sourceConditionKeysOf(SOURCE_CONDITION_SERVICES)('ecs-tasks.amazonaws.com')).toEqual(['aws:SourceAccount', 'aws:SourceArn']);
      expect(sourceConditionKeysOf(SOURCE_CONDITION_SERVICES)('vpce.amazonaws.com')).toEqual([]);
      expect(sourceConditionKeysOf(SOURCE_CONDITION_SERVICES)('states.amazonaws.com')).toBeUndefined();
    });

    it('checks the service principals of the table it is given, regional names included', () => {
      // GIVEN a table that lists logs.amazonaws.com and a role trusting logs in one region
      const rule = servicePrincipalSourceConditions(sourceConditionKeysIn({ 'logs.amazonaws.com': ['aws:SourceArn'] }));
      const { stack } = newStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('logs.eu-west-1.amazonaws.com') });
      const conditioned = new iam.Role(stack, 'Conditioned', {
        assumedBy: new iam.ServicePrincipal('logs.amazonaws.com').withConditions({ ArnLike: { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:111111111111:*' } }),
      });
      // THEN the unconditioned one fails, the conditioned one passes, other types are not applicable
      expect(rule(role.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.NON_COMPLIANT);
      expect(rule(conditioned.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
      expect(rule(new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' }))).toBe(NagRuleCompliance.NOT_APPLICABLE);
    });
  });

  describe('switching the deploy-path rules on and off', () => {
    function unboundedRoleFindings(pack: (app: App) => PrivateLinkChecks, context: Record<string, unknown> = {}): string[] {
      const app = new App({ context });
      const { stack } = newStack(app);
      new iam.Role(stack, 'Role', { assumedBy: new iam.AccountPrincipal('111111111111') });
      return pack(app)
        .validateScope(stack)
        .violations.map((violation) => violation.ruleName);
    }

    it('are always part of the pack: there is no switch to turn them off', () => {
      expect(unboundedRoleFindings((app) => new PrivateLinkChecks(app))).toContain('PrivateLink-IAM1');
      expect(unboundedRoleFindings((app) => new PrivateLinkChecks(app), { 'privateApi:deployPathRules': 'false' })).toContain('PrivateLink-IAM1');
    });
  });
});
