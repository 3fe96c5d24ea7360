import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { formatSummary, summarizeAssembly } from '../summarizeAssembly';

describe('summarizeAssembly (the main job summary)', () => {
  it('lists stages, groups of top-level stacks and loose stacks, each with its account, region and resources', () => {
    // GIVEN an assembly with a stage, a unit of top-level stacks (as the standalone apps write) and a loose stack
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'summary-')) });
    const env = { account: '123456789012', region: 'us-west-2' };
    const stage = new Stage(app, 'Deployed', { env: { account: '123456789013', region: 'us-west-2' } });
    new CfnResource(new Stack(stage, 'One', { stackName: 'deployed-one' }), 'Topic', { type: 'AWS::SNS::Topic' });
    const unit = new Construct(app, 'Provider');
    for (const name of ['Network', 'Service']) {
      new CfnResource(new Stack(unit, name, { env, stackName: `unit-${name.toLowerCase()}` }), 'Topic', { type: 'AWS::SNS::Topic' });
    }
    new CfnResource(new Stack(app, 'Loose', { env, stackName: 'loose' }), 'Topic', { type: 'AWS::SNS::Topic' });
    // WHEN it is summarized
    const summary = summarizeAssembly(app.synth().directory);
    // THEN each deployable unit is one row group
    const rows = summary.map((row) => [row.stage, row.account, row.stacks.map((stack) => `${stack.name}:${stack.resources}`)]);
    expect(rows).toHaveLength(3);
    expect(rows).toEqual(expect.arrayContaining([
      ['Deployed', '123456789013', ['deployed-one:1']],
      ['Provider', '123456789012', ['unit-network:1', 'unit-service:1']],
      ['(app)', '123456789012', ['loose:1']],
    ]));
    const table = formatSummary(summary.map((row) => ({ project: 'p', ...row })));
    expect(table.split('\n')[0]).toMatch(/^project\s+stage\s+account\s+region\s+stack\s+resources$/);
    expect(table).toMatch(/p\s+Provider\s+123456789012\s+us-west-2\s+unit-network\s+1/);
  });

  it('fails clearly when there is no assembly', () => {
    expect(() => summarizeAssembly(join(tmpdir(), 'no-such-assembly'))).toThrow(/no cloud assembly at .* \(did synth run\?\)/);
  });
});
