/** Command-line arguments of the endpoint connection acceptance step (`pipelines/src/accept/main.ts`). */

export const ACCEPT_USAGE =
  'usage: tsx pipelines/src/accept/main.ts --role-arn ARN --service-name com.amazonaws.vpce.REGION.vpce-svc-ID --region REGION --owners ACCOUNT[,ACCOUNT…] [--attempts N] [--delay-seconds S]';

/**
 * Default bounds of each wait (for the wave's connections to show up, then to become available):
 * 12 looks 15 s apart, 3 minutes. The consumer stacks have completed when the step runs, so a
 * connection is normally visible at once (the retries cover eventual consistency), and an
 * accepted connection normally turns available within a minute or two.
 */
export const DEFAULT_ATTEMPTS = 12;
export const DEFAULT_DELAY_SECONDS = 15;
/** Longest single wait (attempts × delay): a pipeline step should not wait longer than 15 minutes for one thing. */
export const MAX_WAIT_SECONDS = 900;

/** The validated arguments. */
export interface AcceptArgs {
  /** Role in the provider account that may describe and accept the service's connections. */
  readonly roleArn: string;
  readonly serviceName: string;
  /** `vpce-svc-…`, from the service name. */
  readonly serviceId: string;
  readonly region: string;
  /** The consumer accounts of this wave, without duplicates. */
  readonly owners: readonly string[];
  readonly attempts: number;
  readonly delaySeconds: number;
}

/** Arguments, a request for help, or the one-line reason they are wrong. */
export type AcceptArgsParse =
  | { readonly kind: 'args'; readonly args: AcceptArgs }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

type FlagName = '--role-arn' | '--service-name' | '--region' | '--owners' | '--attempts' | '--delay-seconds';

interface Flag {
  readonly required: boolean;
  /** Undefined when the value is valid, else what it must be. */
  readonly check: (value: string) => string | undefined;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const SERVICE_NAME = /^com\.amazonaws\.vpce\.([a-z]{2}(?:-[a-z]+)+-\d)\.(vpce-svc-[0-9a-f]+)$/;

const wholeNumber = (low: number, high: number) => (value: string) =>
  /^\d+$/.test(value) && Number(value) >= low && Number(value) <= high ? undefined : `must be a whole number from ${low} to ${high}`;

const FLAGS: Readonly<Record<FlagName, Flag>> = {
  '--role-arn': {
    required: true,
    check: (value) =>
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value) ? undefined : 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
  },
  '--service-name': {
    required: true,
    check: (value) =>
      SERVICE_NAME.test(value) ? undefined : 'must be an endpoint service name, com.amazonaws.vpce.<region>.vpce-svc-<id>',
  },
  '--region': {
    required: true,
    check: (value) => (REGION.test(value) ? undefined : 'must be an AWS region name, e.g. eu-west-1'),
  },
  '--owners': {
    required: true,
    check: (value) =>
      value.split(',').every((owner) => /^\d{12}$/.test(owner.trim())) ? undefined : 'must be comma-separated 12-digit account ids',
  },
  '--attempts': { required: false, check: wholeNumber(1, 60) },
  '--delay-seconds': { required: false, check: wholeNumber(1, 300) },
};

/**
 * Parses `argv` (without the node and script paths). Accepts `--flag value` and `--flag=value`;
 * rejects unknown, repeated, empty and invalid flags, and positional arguments. Pure: no I/O.
 */
export function parseAcceptArgs(argv: readonly string[]): AcceptArgsParse {
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

  const roleArn = values.get('--role-arn') ?? '';
  const serviceName = values.get('--service-name') ?? '';
  const region = values.get('--region') ?? '';
  const match = SERVICE_NAME.exec(serviceName);
  const [, serviceRegion, serviceId] = match ?? [];
  if (serviceRegion === undefined || serviceId === undefined) return error(`--service-name is not an endpoint service name (got "${serviceName}")`);
  // The service id only exists in its own region: a client elsewhere would find no connections.
  if (serviceRegion !== region) {
    return error(`--service-name is a service of ${serviceRegion}, but --region is ${region}: the connections are described and accepted in the service's region`);
  }
  const owners = [...new Set((values.get('--owners') ?? '').split(',').map((owner) => owner.trim()))];
  const attempts = Number(values.get('--attempts') ?? DEFAULT_ATTEMPTS);
  const delaySeconds = Number(values.get('--delay-seconds') ?? DEFAULT_DELAY_SECONDS);
  if (attempts * delaySeconds > MAX_WAIT_SECONDS) {
    return error(`--attempts × --delay-seconds must be at most ${MAX_WAIT_SECONDS} seconds (got ${attempts} × ${delaySeconds})`);
  }
  return { kind: 'args', args: { roleArn, serviceName, serviceId, region, owners, attempts, delaySeconds } };
}

function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(FLAGS, name);
}

function error(message: string): AcceptArgsParse {
  return { kind: 'error', message: `error: ${message}. ${ACCEPT_USAGE}` };
}
