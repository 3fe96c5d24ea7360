import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every test run gets a temporary folder of its own: TMPDIR points at it for the test workers
 * and every process they start (the CDK CLI, nx, npm), so `os.tmpdir()` and `mkdtemp` land
 * there. It is removed when the run ends, passed or failed, so no test leaves files behind.
 */
export default function setup(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'private-api-test-'));
  const previous = process.env['TMPDIR'];
  process.env['TMPDIR'] = folder;
  return () => {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    rmSync(folder, { recursive: true, force: true });
  };
}
