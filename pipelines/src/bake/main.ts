/**
 * CLI of the bake step run after a deployment:
 *
 *   tsx pipelines/src/bake/main.ts --role-arn ARN --region REGION --alarms NAME[,NAME…] --minutes N [--poll-seconds S]
 *
 * Exit codes: 0 no alarm fired for N minutes, 1 failed (an alarm in ALARM, a missing alarm, or
 * AWS refused; the report says which), 2 bad arguments.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { STSClient } from '@aws-sdk/client-sts';
import { BAKE_USAGE, parseBakeArgs } from './parseBakeArgs';
import { BAKE_FAILED, runBake } from './runBake';

export const USAGE_ERROR = 2;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseBakeArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${BAKE_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${parsed.message}\n`);
    return USAGE_ERROR;
  }

  const { args } = parsed;
  const sts = new STSClient({ region: args.region });
  try {
    return await runBake({
      ...args,
      sts,
      cloudWatchFor: (credentials, region) => new CloudWatchClient({ region, credentials }),
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
    // runBake does not throw; this keeps a stack trace out of the pipeline log regardless.
    process.stderr.write(`✗ Bake FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = BAKE_FAILED;
  },
);
