import { describe, expect, it } from 'vitest';
import { errorOf, withFlag } from '../cli/argvFixtures';
import { BAKE_USAGE, DEFAULT_POLL_SECONDS, parseBakeArgs } from '../../src/bake/parseBakeArgs';

const roleArn = 'arn:aws:iam::111111111111:role/fixture-api-alarm-reader';
const valid = ['--role-arn', roleArn, '--region', 'us-east-2', '--alarms', 'fixture-api-5xx,fixture-api-latency', '--minutes', '10'];

/** `valid` with `flag`'s value replaced (or the flag dropped when value is undefined). */
const validWith = (flag: string, value: string | undefined): string[] => withFlag(valid, flag, value);

describe('parseBakeArgs', () => {
  it('accepts the required options with the default poll interval', () => {
    // GIVEN every required option
    // WHEN they are parsed
    // THEN the alarm list is split and the poll interval defaults
    expect(parseBakeArgs(valid)).toEqual({
      kind: 'args',
      args: { roleArn, region: 'us-east-2', alarms: ['fixture-api-5xx', 'fixture-api-latency'], minutes: 10, pollSeconds: DEFAULT_POLL_SECONDS },
    });
  });

  it('accepts --minutes 0, --poll-seconds, --flag=value, and drops duplicate names', () => {
    const argv = [...validWith('--alarms', 'a, b,a').filter((token) => token !== '--minutes' && token !== '10'), '--minutes=0', '--poll-seconds=5'];
    const result = parseBakeArgs(argv);
    expect(result).toMatchObject({ kind: 'args', args: { alarms: ['a', 'b'], minutes: 0, pollSeconds: 5 } });
  });

  it.each([
    ['--minutes', '56', /--minutes must be a whole number from 0 to 55 \(got "56"\)/],
    ['--minutes', '-1', /--minutes must be a whole number from 0 to 55 \(got "-1"\)/],
    ['--alarms', 'a,,b', /--alarms must be comma-separated alarm names/],
    ['--alarms', 'x'.repeat(256), /--alarms must be comma-separated alarm names/],
    ['--role-arn', 'alarm-reader', /--role-arn must be an IAM role ARN/],
    ['--region', 'us-east', /--region must be an AWS region name/],
  ])('rejects %s %s', (flag, value, message) => {
    expect(errorOf(parseBakeArgs(validWith(flag, value)))).toMatch(message);
  });

  it('rejects a poll interval out of range', () => {
    expect(errorOf(parseBakeArgs([...valid, '--poll-seconds', '0']))).toMatch(/--poll-seconds must be a whole number from 1 to 300/);
  });

  it.each([
    [validWith('--minutes', undefined), 'missing --minutes'],
    [[...valid, 'now'], 'unexpected argument "now"'],
    [[...valid, '--minutes', '5'], '--minutes given more than once'],
    [[...valid, '--alarm', 'x'], 'unknown option --alarm'],
  ])('rejects a malformed command line (%j)', (argv, message) => {
    expect(errorOf(parseBakeArgs(argv))).toBe(`error: ${message}. ${BAKE_USAGE}`);
  });

  it('answers help', () => {
    expect(parseBakeArgs(['-h'])).toEqual({ kind: 'help' });
  });
});
