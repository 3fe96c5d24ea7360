import { defineConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared';

/** The fork check runs alone, after the main suite (tools/test-all.sh), never as part of `nx run-many -t test`. */
export default defineConfig(
  sharedVitestConfig(import.meta.dirname, { include: ['*.test.ts'], testTimeout: 1_200_000, hookTimeout: 300_000 }),
);
