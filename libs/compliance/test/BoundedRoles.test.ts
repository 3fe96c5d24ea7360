import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { BoundedRoles } from '../src/BoundedRoles';

const BOUNDARY = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/svc-permissions-boundary' };

function stackWith(build: (stack: Stack) => void, stackName = 'svc-qa-provider-service'): Stack {
  const app = new App();
  const stack = new Stack(app, 'Stack', { stackName, env: { account: '111111111111', region: 'eu-west-1' } });
  BoundedRoles.applyTo(stack, { boundaryName: 'svc-permissions-boundary', namePrefix: 'svc-' });
  build(stack);
  return stack;
}

describe('BoundedRoles', () => {
  const handlerDirectory = mkdtempSync(join(tmpdir(), 'bounded-roles-'));
  writeFileSync(join(handlerDirectory, 'index.js'), 'exports.handler = async () => ({});\n');
  afterAll(() => rmSync(handlerDirectory, { recursive: true, force: true }));

  it('gives every role, ours and a custom resource provider’s, the boundary and a prefixed name', () => {
    const stack = stackWith((scope) => {
      new iam.Role(scope, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
      const serviceToken = CustomResourceProvider.getOrCreate(scope, 'Custom::Thing', {
        codeDirectory: handlerDirectory,
        runtime: CustomResourceProviderRuntime.NODEJS_22_X,
      });
      new CustomResource(scope, 'Thing', { serviceToken, resourceType: 'Custom::Thing' });
    });
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(2);
    for (const [logicalId, role] of Object.entries(roles)) {
      expect(role.Properties.PermissionsBoundary).toEqual(BOUNDARY);
      const full = `svc-qa-provider-service-${logicalId}`;
      if (full.length <= 64) expect(role.Properties.RoleName).toBe(full);
      else expect(role.Properties.RoleName).toMatch(/^svc-qa-provider-service-.+-[0-9a-f]{8}$/);
      expect(role.Properties.RoleName.length).toBeLessThanOrEqual(64);
      expect(role.Properties.Path).toBeUndefined();
    }
  });

  it('prefixes the name when the stack name lacks the prefix, and cuts long names to 64 characters with a hash', () => {
    const stack = stackWith((scope) => {
      new iam.Role(scope, 'AVeryLongLogicalIdForARoleThatWouldNotFitIntoSixtyFourCharacters', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
    }, 'other-stack');
    const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    const name = role?.Properties.RoleName as string;
    expect(name.startsWith('svc-other-stack-AVeryLongLogicalId')).toBe(true);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    expect(name).toHaveLength(64);
  });

  it('keeps an explicit name with the prefix, and fails synth on one without it', () => {
    const named = stackWith((scope) => {
      new iam.Role(scope, 'Invoker', { roleName: 'svc-qa-smoke-invoker', assumedBy: new iam.AccountRootPrincipal() });
    });
    Template.fromStack(named).hasResourceProperties('AWS::IAM::Role', { RoleName: 'svc-qa-smoke-invoker', PermissionsBoundary: BOUNDARY });

    const foreign = stackWith((scope) => {
      new iam.Role(scope, 'Admin', { roleName: 'admin', assumedBy: new iam.AccountRootPrincipal() });
    });
    expect(() => Template.fromStack(foreign)).toThrow(/Stack\/Admin\/Resource is named "admin": every role of these stacks must have a literal name starting with svc-/);
  });

  it('rejects a boundary name or prefix IAM would not accept', () => {
    expect(() => new BoundedRoles({ boundaryName: 'not a name', namePrefix: 'svc-' })).toThrow(/boundaryName must be an IAM policy name, got "not a name"/);
    expect(() => new BoundedRoles({ boundaryName: 'b', namePrefix: '' })).toThrow(/namePrefix must be 1 to 40 role-name characters, got ""/);
  });
});
