/** Command-line arguments of the smoke-test step (`pipelines/src/smoke/main.ts`). */

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
export type SmokeArgsParse =
  | { readonly kind: 'args'; readonly args: SmokeArgs }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

interface Flag {
  readonly key: keyof SmokeArgs;
  readonly required: boolean;
  /** Undefined when the value is valid, else what it must be. */
  readonly check: (value: string) => string | undefined;
}

/** Longest overall deadline accepted: a pipeline step should not wait longer than 15 minutes. */
export const MAX_TIMEOUT_MS = 900_000;

const FLAGS: Readonly<Record<string, Flag>> = {
  '--consumer': {
    key: 'consumer',
    required: true,
    check: (value) =>
      /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(value)
        ? undefined
        : 'must be a consumer name: 2-32 lowercase letters, digits and hyphens, starting with a letter',
  },
  '--role-arn': {
    key: 'roleArn',
    required: true,
    check: (value) =>
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value)
        ? undefined
        : 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
  },
  '--function-name': {
    key: 'functionName',
    required: true,
    check: (value) =>
      /^(arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:)?[\w-]{1,64}(:(\$LATEST|[\w-]{1,128}))?$/.test(value)
        ? undefined
        : 'must be a Lambda function name or ARN',
  },
  '--region': {
    key: 'region',
    required: true,
    check: (value) => (/^[a-z]{2}(-[a-z]+)+-\d$/.test(value) ? undefined : 'must be an AWS region name, e.g. eu-west-1'),
  },
  '--timeout-ms': {
    key: 'timeoutMs',
    required: false,
    check: (value) =>
      /^\d+$/.test(value) && Number(value) > 0 && Number(value) <= MAX_TIMEOUT_MS
        ? undefined
        : `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
  },
};

/**
 * Parses `argv` (without the node and script paths). Accepts `--flag value` and `--flag=value`;
 * rejects unknown, repeated, empty and invalid flags, and positional arguments. Pure: no I/O.
 */
export function parseSmokeArgs(argv: readonly string[]): SmokeArgsParse {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? '';
    if (token === '--help' || token === '-h') return { kind: 'help' };
    if (!token.startsWith('--')) return error(`unexpected argument "${token}"`);

    const equals = token.indexOf('=');
    const name = equals === -1 ? token : token.slice(0, equals);
    if (!Object.hasOwn(FLAGS, name)) return error(`unknown option ${name}`);
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

  const parsed: Partial<Record<keyof SmokeArgs, string>> = {};
  for (const [name, flag] of Object.entries(FLAGS)) {
    const value = values.get(name);
    if (value === undefined) {
      if (flag.required) return error(`missing ${name}`);
      continue;
    }
    const problem = flag.check(value);
    if (problem !== undefined) return error(`${name} ${problem} (got "${value}")`);
    parsed[flag.key] = value;
  }

  const { consumer, roleArn, functionName, region, timeoutMs } = parsed;
  if (consumer === undefined || roleArn === undefined || functionName === undefined || region === undefined) {
    return error('missing a required option'); // unreachable: every required flag was checked above
  }
  const args: SmokeArgs =
    timeoutMs === undefined
      ? { consumer, roleArn, functionName, region }
      : { consumer, roleArn, functionName, region, timeoutMs: Number(timeoutMs) };
  return { kind: 'args', args };
}

function error(message: string): SmokeArgsParse {
  return { kind: 'error', message: `error: ${message}. ${SMOKE_USAGE}` };
}
