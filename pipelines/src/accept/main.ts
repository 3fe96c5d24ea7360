/**
 * CLI of the endpoint connection acceptance step run after each consumer wave:
 *
 *   tsx pipelines/src/accept/main.ts --role-arn ARN --service-name com.amazonaws.vpce.REGION.vpce-svc-ID --region REGION --owners ACCOUNT[,ACCOUNT…] [--attempts N] [--delay-seconds S]
 *
 * Exit codes: 0 every owner's connection accepted and available, 1 failed (the report says
 * why), 2 bad arguments.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import { runCli } from '../cli/runCli';
import { ACCEPT_USAGE, parseAcceptArgs } from './parseAcceptArgs';

/** Same as runAcceptance's ACCEPT_FAILED, without loading it (see below). */
const FAILED = 1;

void runCli(process.argv.slice(2), {
  usage: ACCEPT_USAGE,
  parse: parseAcceptArgs,
  run: async (args) => {
    // Loaded only now: it pulls in the provider app (aws-cdk-lib), seconds of start-up that a
    // usage error should not wait for.
    const { runAcceptance } = await import('./runAcceptance');
    const sts = new STSClient({ region: args.region });
    try {
      return await runAcceptance({
        ...args,
        sts,
        ec2For: (credentials, region) => new EC2Client({ region, credentials }),
        write: (line) => process.stdout.write(`${line}\n`),
      });
    } finally {
      sts.destroy();
    }
  },
  failurePrefix: '✗ Endpoint connection acceptance FAILED',
  failureExitCode: FAILED,
});
