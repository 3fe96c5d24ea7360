import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * Adds up the vitest JSON reports of every project (dist/test-results/**.json) and prints one
 * closing line, `N passed, N failed`, plus skipped tests if any. Exits 1 if any test failed or
 * if no test ran at all.
 */
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const resultsDir = resolve(__dirname, '../dist/test-results');

function reports(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return reports(path);
    return path.endsWith('.json') ? [path] : [];
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports(resultsDir)) {
  const report = JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  process.stdout.write(`  ${relative(resultsDir, file).replace(/\.json$/, '')}: ${report.numPassedTests} passed, ${report.numFailedTests} failed\n`);
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
