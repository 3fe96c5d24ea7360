import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PrivateApiApp } from '@private-api/compliance';
import { fixtureEnvironment } from '@private-api/testing';
import { describe, expect, it } from 'vitest';
import { PartedStack, ProviderStage, StackPart } from '../src/index';

const BEFORE_SPLIT = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'logical-ids-before-split.json'), 'utf8')) as {
  network: string[];
  service: string[];
};

function idsOf(template: Template): string[] {
  return Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
    .map(([id, resource]) => `${id} ${resource.Type}`)
    .sort();
}

describe('StackPart', () => {
  it('leaves the part out of its resources\' logical IDs', () => {
    const stack = new PartedStack(new App(), 'Stack');
    const part = new StackPart(stack, 'Part');
    new CfnResource(part, 'Thing', { type: 'AWS::SNS::Topic' });
    new CfnResource(stack, 'Other', { type: 'AWS::SNS::Topic' });
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources as object).sort()).toEqual(['Other', 'Thing']);
  });

  it('refuses two parts whose children would share a logical ID, naming both paths', () => {
    const stack = new PartedStack(new App(), 'Stack');
    new CfnResource(new StackPart(stack, 'First'), 'Topic', { type: 'AWS::SNS::Topic' });
    new CfnResource(new StackPart(stack, 'Second'), 'Topic', { type: 'AWS::SNS::Topic' });
    expect(() => Template.fromStack(stack)).toThrow(/Stack\/First\/Topic and Stack\/Second\/Topic would share the logical ID Topic/);
  });

  it('kept every logical ID of the provider stacks when ProviderServiceStack was split into parts', () => {
    // GIVEN the fixture's stateless Fargate environment, whose IDs were recorded before the split
    const stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config: fixtureEnvironment('qa') });
    // THEN no resource of an existing deployment is replaced by the upgrade
    expect(idsOf(Template.fromStack(stage.networkStack))).toEqual(BEFORE_SPLIT.network);
    // Parts added since (autoscaling, monitoring, pipeline access, …) only add resources.
    expect(idsOf(Template.fromStack(stage.serviceStack))).toEqual(expect.arrayContaining(BEFORE_SPLIT.service));
  });
});
