/** Command-line arguments of the bake step (`pipelines/src/bake/main.ts`). */

import { MAX_BAKE_MINUTES } from '@private-api/config';
import { type FlagSpec, parseFlags, wholeNumber } from '../cli/parseFlags';
import type { CliArgsParse } from '../cli/runCli';

export const BAKE_USAGE =
  'usage: tsx pipelines/src/bake/main.ts --role-arn ARN --region REGION --alarms NAME[,NAME…] --minutes N [--poll-seconds S]';

export const DEFAULT_POLL_SECONDS = 30;
/** Longest bake: the config's limit (a chained role session, which reads the alarms, lasts at most an hour). */
export { MAX_BAKE_MINUTES };

/** The validated arguments. */
export interface BakeArgs {
  /** Role in the provider account that may read the alarms. */
  readonly roleArn: string;
  readonly region: string;
  /** Alarm names, without duplicates. A name containing a comma cannot be given. */
  readonly alarms: readonly string[];
  readonly minutes: number;
  readonly pollSeconds: number;
}

/** Arguments, a request for help, or the one-line reason they are wrong. */
export type BakeArgsParse = CliArgsParse<BakeArgs>;

type FlagName = '--role-arn' | '--region' | '--alarms' | '--minutes' | '--poll-seconds';

/** CloudWatch alarm names: 1 to 255 characters, no control characters. */
const alarmNameProblem = (name: string): boolean => name.length === 0 || name.length > 255 || /\p{Cc}/u.test(name);

const FLAGS: Readonly<Record<FlagName, FlagSpec>> = {
  '--role-arn': {
    required: true,
    check: (value) =>
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value) ? undefined : 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
  },
  '--region': {
    required: true,
    check: (value) => (/^[a-z]{2}(-[a-z]+)+-\d$/.test(value) ? undefined : 'must be an AWS region name, e.g. eu-west-1'),
  },
  '--alarms': {
    required: true,
    check: (value) =>
      value.split(',').some((name) => alarmNameProblem(name.trim()))
        ? 'must be comma-separated alarm names (1 to 255 characters each, none empty)'
        : undefined,
  },
  '--minutes': { required: true, check: wholeNumber(0, MAX_BAKE_MINUTES) },
  '--poll-seconds': { required: false, check: wholeNumber(1, 300) },
};

/**
 * Parses `argv` (without the node and script paths). Accepts `--flag value` and `--flag=value`;
 * rejects unknown, repeated, empty and invalid flags, and positional arguments. Pure: no I/O.
 */
export function parseBakeArgs(argv: readonly string[]): BakeArgsParse {
  const parsed = parseFlags(argv, FLAGS);
  if (parsed.kind !== 'values') return parsed.kind === 'help' ? parsed : error(parsed.message);
  const { values } = parsed;

  return {
    kind: 'args',
    args: {
      roleArn: values.get('--role-arn') ?? '',
      region: values.get('--region') ?? '',
      alarms: [...new Set((values.get('--alarms') ?? '').split(',').map((name) => name.trim()))],
      minutes: Number(values.get('--minutes')),
      pollSeconds: Number(values.get('--poll-seconds') ?? DEFAULT_POLL_SECONDS),
    },
  };
}

function error(message: string): BakeArgsParse {
  return { kind: 'error', message: `error: ${message}. ${BAKE_USAGE}` };
}
