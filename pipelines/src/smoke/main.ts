/**
 * CLI of the post-deployment smoke test of one consumer stage:
 *
 *   tsx pipelines/src/smoke/main.ts --consumer NAME --role-arn ARN --function-name NAME --region REGION [--timeout-ms N]
 *
 * Exit codes: 0 passed, 1 failed (the report says why), 2 bad arguments.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { runCli } from '../cli/runCli';
import { parseSmokeArgs, SMOKE_USAGE } from './parseSmokeArgs';
import { runSmokeTest, SMOKE_FAILED } from './runSmokeTest';

void runCli(process.argv.slice(2), {
  usage: SMOKE_USAGE,
  parse: parseSmokeArgs,
  run: async (args) => {
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
  },
  failurePrefix: '✗ Smoke test FAILED',
  failureExitCode: SMOKE_FAILED,
});
