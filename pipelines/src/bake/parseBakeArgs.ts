/** Command-line arguments of the bake step (`pipelines/src/bake/main.ts`). */

import { MAX_BAKE_MINUTES } from '@private-api/config';

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
export type BakeArgsParse =
  | { readonly kind: 'args'; readonly args: BakeArgs }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

type FlagName = '--role-arn' | '--region' | '--alarms' | '--minutes' | '--poll-seconds';

interface Flag {
  readonly required: boolean;
  /** Undefined when the value is valid, else what it must be. */
  readonly check: (value: string) => string | undefined;
}

const wholeNumber = (low: number, high: number) => (value: string) =>
  /^\d+$/.test(value) && Number(value) >= low && Number(value) <= high ? undefined : `must be a whole number from ${low} to ${high}`;

/** CloudWatch alarm names: 1 to 255 characters, no control characters. */
const alarmNameProblem = (name: string): boolean => name.length === 0 || name.length > 255 || /\p{Cc}/u.test(name);

const FLAGS: Readonly<Record<FlagName, Flag>> = {
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
  const values = new Map<FlagName, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? '';
    if (token === '--help' || token === '-h') return { kind: 'help' };
    if (!token.startsWith('--')) return error(`unexpected argument "${token}"`);

    const equals = token.indexOf('=');
    const name = equals === -1 ? token : token.slice(0, equals);
    if (!isFlagName(name)) return error(`unknown option ${name}`);
    if (values.has(name)) return error(`${name} given more than once`);

    let value: string;
    if (equals !== -1) {
      value = token.slice(equals + 1);
    } else {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) return error(`${name} needs a value`);
      value = next;
      index += 1;
    }
    if (value.trim() === '') return error(`${name} needs a value`);
    values.set(name, value);
  }

  for (const [name, flag] of Object.entries(FLAGS) as [FlagName, Flag][]) {
    const value = values.get(name);
    if (value === undefined) {
      if (flag.required) return error(`missing ${name}`);
      continue;
    }
    const problem = flag.check(value);
    if (problem !== undefined) return error(`${name} ${problem} (got "${value}")`);
  }

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

function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(FLAGS, name);
}

function error(message: string): BakeArgsParse {
  return { kind: 'error', message: `error: ${message}. ${BAKE_USAGE}` };
}
