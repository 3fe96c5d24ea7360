import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared';

// The PostgreSQL server comes first: it must be created before the workspace setup points
// TMPDIR at a folder private to root, which the unprivileged `postgres` user could not enter.
export default defineConfig(
  sharedVitestConfig(import.meta.dirname, {
    globalSetup: [resolve(import.meta.dirname, 'test/postgres/globalSetup.ts'), resolve(import.meta.dirname, '../../vitest.globalSetup.ts')],
  }),
);
