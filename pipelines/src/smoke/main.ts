/**
 * CLI of the post-deployment smoke test of one consumer stage:
 *
 *   tsx pipelines/src/smoke/main.ts --consumer NAME --role-arn ARN --function-name NAME --region REGION [--timeout-ms N]
 *
 * Exit codes: 0 passed, 1 failed (the report says why), 2 bad arguments.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { parseSmokeArgs, SMOKE_USAGE } from './parseSmokeArgs';
import { runSmokeTest, SMOKE_FAILED } from './runSmokeTest';

export const USAGE_ERROR = 2;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseSmokeArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${SMOKE_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${parsed.message}\n`);
    return USAGE_ERROR;
  }

  const { args } = parsed;
  const sts = new STSClient({ region: args.region });
  try {
    return await runSmokeTest({
      ...args,
      sts,
      lambdaFor: (credentials, region) => new LambdaClient({ region, credentials }),
      write: (line) => process.stdout.write(`${line}\n`),
    });
  } finally {
    sts.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // runSmokeTest does not throw; this keeps a stack trace out of the pipeline log regardless.
    process.stderr.write(`✗ Smoke test FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = SMOKE_FAILED;
  },
);
