import { describe, expect, it } from 'vitest';
import { errorOf, withFlag } from '../cli/argvFixtures';
import { ACCEPT_USAGE, DEFAULT_ATTEMPTS, DEFAULT_DELAY_SECONDS, parseAcceptArgs } from '../../src/accept/parseAcceptArgs';

const roleArn = 'arn:aws:iam::111111111111:role/fixture-api-endpoint-acceptor';
const serviceName = 'com.amazonaws.vpce.us-east-2.vpce-svc-0123456789abcdef0';
const valid = ['--role-arn', roleArn, '--service-name', serviceName, '--region', 'us-east-2', '--owners', '210000000001,210000000002'];

/** `valid` with `flag`'s value replaced (or the flag dropped when value is undefined). */
const validWith = (flag: string, value: string | undefined): string[] => withFlag(valid, flag, value);

describe('parseAcceptArgs', () => {
  it('accepts the four required options, derives the service id and applies the default bounds', () => {
    // GIVEN every required option
    // WHEN they are parsed
    const result = parseAcceptArgs(valid);
    // THEN the service id comes from the name, and the waits have their defaults
    expect(result).toEqual({
      kind: 'args',
      args: {
        roleArn,
        serviceName,
        serviceId: 'vpce-svc-0123456789abcdef0',
        region: 'us-east-2',
        owners: ['210000000001', '210000000002'],
        attempts: DEFAULT_ATTEMPTS,
        delaySeconds: DEFAULT_DELAY_SECONDS,
      },
    });
  });

  it('accepts --flag=value, the optional bounds, and drops duplicate owners', () => {
    const result = parseAcceptArgs([...validWith('--owners', '210000000001, 210000000001'), '--attempts=20', '--delay-seconds', '30']);
    expect(result).toMatchObject({ kind: 'args', args: { owners: ['210000000001'], attempts: 20, delaySeconds: 30 } });
  });

  it.each([
    ['--role-arn', undefined, `error: missing --role-arn. ${ACCEPT_USAGE}`],
    ['--owners', undefined, `error: missing --owners. ${ACCEPT_USAGE}`],
  ])('names a missing required option (%s)', (flag, value, message) => {
    expect(errorOf(parseAcceptArgs(validWith(flag, value)))).toBe(message);
  });

  it.each([
    ['--service-name', 'vpce-svc-0123456789abcdef0', /--service-name must be an endpoint service name, com\.amazonaws\.vpce\.<region>\.vpce-svc-<id> \(got "vpce-svc-0123456789abcdef0"\)/],
    ['--service-name', 'com.amazonaws.us-east-2.s3', /--service-name must be an endpoint service name/],
    ['--owners', '210000000001,21000000000', /--owners must be comma-separated 12-digit account ids \(got "210000000001,21000000000"\)/],
    ['--owners', '210000000001,', /--owners must be comma-separated 12-digit account ids/],
    ['--role-arn', 'provider-acceptor', /--role-arn must be an IAM role ARN/],
    ['--region', 'Ohio', /--region must be an AWS region name/],
  ])('rejects %s %s', (flag, value, message) => {
    expect(errorOf(parseAcceptArgs(validWith(flag, value)))).toMatch(message);
  });

  it('rejects a service of another region than --region', () => {
    expect(errorOf(parseAcceptArgs(validWith('--region', 'eu-west-1')))).toMatch(
      /^error: --service-name is a service of us-east-2, but --region is eu-west-1: /,
    );
  });

  it.each([
    [['--attempts', '0'], /--attempts must be a whole number from 1 to 60 \(got "0"\)/],
    [['--delay-seconds', '1.5'], /--delay-seconds must be a whole number from 1 to 300/],
    [['--attempts', '60', '--delay-seconds', '30'], /--attempts × --delay-seconds must be at most 900 seconds \(got 60 × 30\)/],
  ])('bounds the waits (%j)', (extra, message) => {
    expect(errorOf(parseAcceptArgs([...valid, ...extra]))).toMatch(message);
  });

  it.each([
    [[...validWith('--owners', undefined), '--owners'], '--owners needs a value'],
    [[...validWith('--owners', undefined), '--owners=', '--attempts', '3'], '--owners needs a value'],
    [[...valid, 'stray'], 'unexpected argument "stray"'],
    [[...valid, '--role-arn', roleArn], '--role-arn given more than once'],
    [[...valid, '--wave', 'one'], 'unknown option --wave'],
  ])('rejects a malformed command line (%j)', (argv, message) => {
    expect(errorOf(parseAcceptArgs(argv))).toBe(`error: ${message}. ${ACCEPT_USAGE}`);
  });

  it('answers help', () => {
    expect(parseAcceptArgs(['--help'])).toEqual({ kind: 'help' });
  });
});
