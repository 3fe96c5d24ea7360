/** Command-line arguments of the endpoint connection acceptance step (`pipelines/src/accept/main.ts`). */

import { type FlagSpec, parseFlags, wholeNumber } from '../cli/parseFlags';
import type { CliArgsParse } from '../cli/runCli';

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
export type AcceptArgsParse = CliArgsParse<AcceptArgs>;

type FlagName = '--role-arn' | '--service-name' | '--region' | '--owners' | '--attempts' | '--delay-seconds';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const SERVICE_NAME = /^com\.amazonaws\.vpce\.([a-z]{2}(?:-[a-z]+)+-\d)\.(vpce-svc-[0-9a-f]+)$/;

const FLAGS: Readonly<Record<FlagName, FlagSpec>> = {
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
  const parsed = parseFlags(argv, FLAGS);
  if (parsed.kind !== 'values') return parsed.kind === 'help' ? parsed : error(parsed.message);
  const { values } = parsed;

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

function error(message: string): AcceptArgsParse {
  return { kind: 'error', message: `error: ${message}. ${ACCEPT_USAGE}` };
}
