/** Command-line arguments of the smoke-test step (`pipelines/src/smoke/main.ts`). */

import { type FlagSpec, parseFlags, wholeNumber } from '../cli/parseFlags';
import type { CliArgsParse } from '../cli/runCli';

export const SMOKE_USAGE =
  'usage: tsx pipelines/src/smoke/main.ts --consumer NAME --role-arn ARN --function-name NAME --region REGION [--timeout-ms N]';

/** The validated arguments. */
export interface SmokeArgs {
  readonly consumer: string;
  readonly roleArn: string;
  readonly functionName: string;
  readonly region: string;
  readonly timeoutMs?: number;
}

/** Arguments, a request for help, or the one-line reason they are wrong. */
export type SmokeArgsParse = CliArgsParse<SmokeArgs>;

type FlagName = '--consumer' | '--role-arn' | '--function-name' | '--region' | '--timeout-ms';

/** Longest overall deadline accepted: a pipeline step should not wait longer than 15 minutes. */
export const MAX_TIMEOUT_MS = 900_000;

const FLAGS: Readonly<Record<FlagName, FlagSpec>> = {
  '--consumer': {
    required: true,
    check: (value) =>
      /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(value)
        ? undefined
        : 'must be a consumer name: 2-32 lowercase letters, digits and hyphens, starting with a letter',
  },
  '--role-arn': {
    required: true,
    check: (value) =>
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value)
        ? undefined
        : 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
  },
  '--function-name': {
    required: true,
    check: (value) =>
      /^(arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:)?[\w-]{1,64}(:(\$LATEST|[\w-]{1,128}))?$/.test(value)
        ? undefined
        : 'must be a Lambda function name or ARN',
  },
  '--region': {
    required: true,
    check: (value) => (/^[a-z]{2}(-[a-z]+)+-\d$/.test(value) ? undefined : 'must be an AWS region name, e.g. eu-west-1'),
  },
  '--timeout-ms': {
    required: false,
    check: wholeNumber(1, MAX_TIMEOUT_MS, 'milliseconds'),
  },
};

/**
 * Parses `argv` (without the node and script paths). Accepts `--flag value` and `--flag=value`;
 * rejects unknown, repeated, empty and invalid flags, and positional arguments. Pure: no I/O.
 */
export function parseSmokeArgs(argv: readonly string[]): SmokeArgsParse {
  const parsed = parseFlags(argv, FLAGS);
  if (parsed.kind !== 'values') return parsed.kind === 'help' ? parsed : error(parsed.message);
  const { values } = parsed;

  const consumer = values.get('--consumer') ?? '';
  const roleArn = values.get('--role-arn') ?? '';
  const functionName = values.get('--function-name') ?? '';
  const region = values.get('--region') ?? '';
  const timeoutMs = values.get('--timeout-ms');
  const args: SmokeArgs =
    timeoutMs === undefined
      ? { consumer, roleArn, functionName, region }
      : { consumer, roleArn, functionName, region, timeoutMs: Number(timeoutMs) };
  return { kind: 'args', args };
}

function error(message: string): SmokeArgsParse {
  return { kind: 'error', message: `error: ${message}. ${SMOKE_USAGE}` };
}
