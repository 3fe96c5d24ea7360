import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Every file of the repository (tracked or new, not ignored). */
function repositoryFiles(): string[] {
  return spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .stdout.split('\n')
    .filter((file) => file && existsSync(resolve(root, file)) && statSync(resolve(root, file)).isFile());
}

describe('repository', () => {
  it('types no endpoint service id anywhere it could be deployed: consumers read it from the shared parameter', () => {
    // Tests of the acceptance code describe connections of a made-up service to mocked EC2
    // clients: an id there reaches no template, config or README.
    const isTest = (file: string): boolean => /(^|\/)test\//.test(file) || file.endsWith('.test.ts');
    const files = repositoryFiles().filter((file) => !file.endsWith('package-lock.json') && !isTest(file));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) => /vpce-svc-[0-9a-f]{8,}/.test(readFileSync(resolve(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('ships a LICENSE that matches the license package.json declares', () => {
    const declared = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { license: string }).license;
    expect(declared).toBe('Apache-2.0');
    const license = readFileSync(resolve(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\/\s/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });
});
