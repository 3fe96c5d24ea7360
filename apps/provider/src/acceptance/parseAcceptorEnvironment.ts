/** What the acceptor function reads from its environment. */
export interface AcceptorConfig {
  /** `SERVICE_ID`: the endpoint service whose connections it accepts. */
  readonly serviceId: string;
  /** `ALLOWED_OWNERS`: the consumer accounts whose connections it accepts, comma-separated. */
  readonly allowedOwners: readonly string[];
}

/** A missing or malformed variable; the message names every one and what it must be. */
export class AcceptorConfigError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'AcceptorConfigError';
  }
}

/** Reads and validates `SERVICE_ID` and `ALLOWED_OWNERS`; throws an {@link AcceptorConfigError} naming every problem. */
export function parseAcceptorEnvironment(env: Readonly<Record<string, string | undefined>>): AcceptorConfig {
  const problems: string[] = [];
  const serviceId = env['SERVICE_ID']?.trim() ?? '';
  if (!/^vpce-svc-[0-9a-f]+$/.test(serviceId)) {
    problems.push(`SERVICE_ID must be a VPC endpoint service id (vpce-svc-…), got "${serviceId}"`);
  }
  const ownersText = env['ALLOWED_OWNERS']?.trim() ?? '';
  const owners = ownersText === '' ? [] : ownersText.split(',').map((owner) => owner.trim());
  if (owners.length === 0 || owners.some((owner) => !/^\d{12}$/.test(owner))) {
    problems.push(`ALLOWED_OWNERS must be comma-separated 12-digit account ids (at least one), got "${ownersText}"`);
  }
  if (problems.length > 0) throw new AcceptorConfigError(`endpoint connection acceptor: ${problems.join('; ')}`);
  return { serviceId, allowedOwners: [...new Set(owners)] };
}
