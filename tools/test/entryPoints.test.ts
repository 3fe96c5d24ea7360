import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Every CDK app's entry point: a folder with a cdk.json names its entry in `app`. */
function cdkEntryPoints(): string[] {
  const folders = ['apps', 'pipelines'].flatMap((parent) => {
    const dir = resolve(root, parent);
    if (!existsSync(dir)) return [];
    if (existsSync(join(dir, 'cdk.json'))) return [dir];
    return readdirSync(dir).map((name) => join(dir, name));
  });
  return folders
    .filter((folder) => existsSync(join(folder, 'cdk.json')))
    .map((folder) => {
      const app = (JSON.parse(readFileSync(join(folder, 'cdk.json'), 'utf8')) as { app: string }).app;
      const entry = app.split(' ').find((part) => part.endsWith('.ts'));
      if (!entry) throw new Error(`${folder}/cdk.json: no TypeScript entry point in "${app}"`);
      return join(folder, entry);
    });
}

describe('CDK entry points', () => {
  it('all build on PrivateApiApp (compliance packs on) and run through runCdkApp (readable failures)', () => {
    const entries = cdkEntryPoints();
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries) {
      const source = readFileSync(entry, 'utf8');
      expect(source, entry).toMatch(/new PrivateApiApp\(/);
      expect(source, entry).toMatch(/runCdkApp\(/);
      expect(source, entry).not.toMatch(/new (cdk\.)?App\(/);
    }
  });
});
