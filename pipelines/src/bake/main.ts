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
import { runCli } from '../cli/runCli';
import { BAKE_USAGE, parseBakeArgs } from './parseBakeArgs';
import { BAKE_FAILED, runBake } from './runBake';

void runCli(process.argv.slice(2), {
  usage: BAKE_USAGE,
  parse: parseBakeArgs,
  run: async (args) => {
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
  },
  failurePrefix: '✗ Bake FAILED',
  failureExitCode: BAKE_FAILED,
});
