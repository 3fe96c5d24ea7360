/**
 * Availability zones by region, so that a config naming a zone that does not exist stops synth
 * instead of failing a deploy.
 *
 * Zone *names* (`eu-west-1a`) are mapped to physical zones differently in every AWS account;
 * zone *IDs* (`euw1-az1`) name the same physical zone in every account. PrivateLink matches a
 * consumer's endpoint to the provider's NLB by physical zone, so the config states zone IDs.
 *
 * Per region: the zone-ID prefix, the zone-ID numbers that exist, and the zone-name letters
 * that exist. Sources: the "AWS Availability Zones" table of the AWS Global Infrastructure
 * guide, cross-checked with the zone IDs the EMR Serverless endpoints page lists per region;
 * zone letters from real account outputs (AWS does not publish them). A region missing here is
 * not an error: `KNOWN_REGIONS` decides which regions are accepted, and zones of a region
 * without an entry are checked by format only. Add a region here when AWS opens one.
 */
type RegionZones = readonly [prefix: string, ids: readonly number[], letters: string];

export const AVAILABILITY_ZONES: Readonly<Record<string, RegionZones>> = {
  // Legacy zones some older accounts still see are included (usw1-az2, cac1-az3, apne1-az3,
  // euw1-az4): a config may name them, and AWS answers for those accounts.
  'us-east-1': ['use1', [1, 2, 3, 4, 5, 6], 'abcdef'],
  'us-east-2': ['use2', [1, 2, 3], 'abc'],
  'us-west-1': ['usw1', [1, 2, 3], 'abc'],
  'us-west-2': ['usw2', [1, 2, 3, 4], 'abcd'],
  'ca-central-1': ['cac1', [1, 2, 3, 4], 'abcd'],
  'ca-west-1': ['caw1', [1, 2, 3], 'abc'],
  'mx-central-1': ['mxc1', [1, 2, 3], 'abc'],
  'sa-east-1': ['sae1', [1, 2, 3], 'abc'],
  'af-south-1': ['afs1', [1, 2, 3], 'abc'],
  'ap-east-1': ['ape1', [1, 2, 3], 'abc'],
  'ap-east-2': ['ape2', [1, 2, 3], 'abc'],
  'ap-northeast-1': ['apne1', [1, 2, 3, 4], 'abcd'],
  'ap-northeast-2': ['apne2', [1, 2, 3, 4], 'abcd'],
  'ap-northeast-3': ['apne3', [1, 2, 3], 'abc'],
  'ap-south-1': ['aps1', [1, 2, 3], 'abc'],
  'ap-south-2': ['aps2', [1, 2, 3], 'abc'],
  'ap-southeast-1': ['apse1', [1, 2, 3], 'abc'],
  'ap-southeast-2': ['apse2', [1, 2, 3], 'abc'],
  'ap-southeast-3': ['apse3', [1, 2, 3], 'abc'],
  'ap-southeast-4': ['apse4', [1, 2, 3], 'abc'],
  'ap-southeast-5': ['apse5', [1, 2, 3], 'abc'],
  'ap-southeast-6': ['apse6', [1, 2, 3], 'abc'],
  'ap-southeast-7': ['apse7', [1, 2, 3], 'abc'],
  'eu-central-1': ['euc1', [1, 2, 3], 'abc'],
  'eu-central-2': ['euc2', [1, 2, 3], 'abc'],
  'eu-north-1': ['eun1', [1, 2, 3], 'abc'],
  'eu-south-1': ['eus1', [1, 2, 3], 'abc'],
  'eu-south-2': ['eus2', [1, 2, 3], 'abc'],
  'eu-west-1': ['euw1', [1, 2, 3, 4], 'abc'],
  'eu-west-2': ['euw2', [1, 2, 3, 4], 'abcd'],
  'eu-west-3': ['euw3', [1, 2, 3], 'abc'],
  'il-central-1': ['ilc1', [1, 2, 3], 'abc'],
  'me-central-1': ['mec1', [1, 2, 3], 'abc'],
  'me-south-1': ['mes1', [1, 2, 3], 'abc'],
  'us-gov-west-1': ['usgw1', [1, 2, 3], 'abc'],
  'us-gov-east-1': ['usge1', [1, 2, 3], 'abc'],
  'cn-north-1': ['cnn1', [1, 2, 4], 'abd'],
  'cn-northwest-1': ['cnnw1', [1, 2, 3], 'abc'],
};

const DIRECTIONS: Readonly<Record<string, string>> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/**
 * The zone-ID prefix of a region: `eu-west-1` → `euw1`, `ap-southeast-2` → `apse2`,
 * `us-gov-west-1` → `usgw1`. Taken from the table when the region is in it.
 */
export function zoneIdPrefix(region: string): string {
  const known = AVAILABILITY_ZONES[region];
  if (known) return known[0];
  const parts = region.split('-');
  const number = parts.pop() ?? '';
  const [area = '', ...rest] = parts;
  return `${area}${rest.map((part) => (part === 'gov' ? 'g' : (DIRECTIONS[part] ?? part))).join('')}${number}`;
}

/** The zone IDs known to exist in a region (empty when the region is not in the table). */
export function knownZoneIds(region: string): string[] {
  const known = AVAILABILITY_ZONES[region];
  return known ? known[1].map((number) => `${known[0]}-az${number}`) : [];
}

/** The zone names known to exist in a region (empty when the region is not in the table). */
export function knownZoneNames(region: string): string[] {
  const known = AVAILABILITY_ZONES[region];
  return known ? [...known[2]].map((letter) => `${region}${letter}`) : [];
}

/** Why `id` is not a zone ID of `region`, or undefined when it is one. */
export function zoneIdProblem(id: string, region: string): string | undefined {
  const prefix = zoneIdPrefix(region);
  if (!new RegExp(`^${prefix}-az\\d+$`).test(id)) {
    if (/^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/.test(id)) {
      return `is an availability zone name, which maps to a different zone in every account: give its zone ID (${prefix}-az…) or { name: '${id}', id: '${prefix}-az…' } (aws ec2 describe-availability-zones --region ${region} --query "AvailabilityZones[].[ZoneName,ZoneId]")`;
    }
    return `is not an availability zone ID of ${region} (expected ${prefix}-az<n>)`;
  }
  const known = knownZoneIds(region);
  if (known.length > 0 && !known.includes(id)) {
    return `is not an availability zone ID of ${region} (known: ${known.join(', ')})`;
  }
  return undefined;
}

/** Why `name` is not a zone name of `region`, or undefined when it is one. */
export function zoneNameProblem(name: string, region: string): string | undefined {
  if (!(name.startsWith(region) && /^[a-z]$/.test(name.slice(region.length)))) {
    return `is not an availability zone name of ${region} (expected ${region}<letter>)`;
  }
  const known = knownZoneNames(region);
  if (known.length > 0 && !known.includes(name)) {
    return `is not an availability zone of ${region} (known: ${known.join(', ')})`;
  }
  return undefined;
}
