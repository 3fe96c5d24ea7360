import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CODEBUILD_NODE_MAJORS, pinnedCdkCliVersion, pinnedNodeMajor, pinnedRuntimeBuildSpec } from '../src/pinnedTooling';

describe('pinned tooling', () => {
  const folder = mkdtempSync(join(tmpdir(), 'pinned-tooling-'));
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });
  const file = (name: string, content: string): string => {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  };

  it("reads the repository's Node.js major from .nvmrc, with or without a v and a newline", () => {
    expect(pinnedNodeMajor(file('a', '22\n'))).toBe(22);
    expect(pinnedNodeMajor(file('b', 'v20'))).toBe(20);
  });

  it('the repository declares a major the CodeBuild image provides', () => {
    expect(CODEBUILD_NODE_MAJORS).toContain(pinnedNodeMajor());
  });

  it.each([
    ['a full version', '20.19.0'],
    ['a range', 'lts/*'],
    ['a major the image lacks', '16'],
    ['nothing', ''],
  ])('fails naming .nvmrc and the value when it holds %s', (_, content) => {
    const path = file('bad', content);
    expect(() => pinnedNodeMajor(path)).toThrow(`${path}: must hold the Node.js major the pipeline runs, one of 18, 20, 22 (CodeBuild standard:7.0), got ${JSON.stringify(content)}`);
  });

  it('selects that major in the install phase of the build spec fragment', () => {
    expect(pinnedRuntimeBuildSpec(22)).toEqual({ phases: { install: { 'runtime-versions': { nodejs: '22' } } } });
  });

  it('fails naming package.json when aws-cdk is not an exact version', () => {
    const path = file('package.json', JSON.stringify({ devDependencies: { 'aws-cdk': '^2.1000.0' } }));
    expect(() => pinnedCdkCliVersion(path)).toThrow(`${path}: devDependencies.aws-cdk must be an exact version (x.y.z) for the pipeline to pin, got ^2.1000.0`);
  });
});
