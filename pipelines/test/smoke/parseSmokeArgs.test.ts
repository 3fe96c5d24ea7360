import { describe, expect, it } from 'vitest';
import { errorOf, withFlag } from '../cli/argvFixtures';
import { parseSmokeArgs, SMOKE_USAGE } from '../../src/smoke/parseSmokeArgs';

const roleArn = 'arn:aws:iam::210000000001:role/fixture-api-smoke-test';
const valid = [
  '--consumer',
  'alpha',
  '--role-arn',
  roleArn,
  '--function-name',
  'fixture-api-consumer-alpha-smoke',
  '--region',
  'us-east-2',
];

/** `valid` with `flag`'s value replaced (or the flag dropped when value is undefined). */
const validWith = (flag: string, value: string | undefined): string[] => withFlag(valid, flag, value);

describe('parseSmokeArgs', () => {
  it('accepts the four required options', () => {
    // GIVEN every required option
    // WHEN they are parsed
    const result = parseSmokeArgs(valid);
    // THEN they come back validated, with no timeout
    expect(result).toEqual({
      kind: 'args',
      args: { consumer: 'alpha', roleArn, functionName: 'fixture-api-consumer-alpha-smoke', region: 'us-east-2' },
    });
  });

  it('accepts --flag=value, any order, and an optional timeout', () => {
    // GIVEN options as --flag=value, shuffled, with a timeout
    const argv = [
      '--timeout-ms=30000',
      '--region=us-east-2',
      `--role-arn=${roleArn}`,
      '--function-name',
      'arn:aws:lambda:us-east-2:210000000001:function:smoke:live',
      '--consumer=beta',
    ];
    // WHEN they are parsed
    const result = parseSmokeArgs(argv);
    // THEN the timeout is a number and the function ARN is kept as given
    expect(result).toEqual({
      kind: 'args',
      args: {
        consumer: 'beta',
        roleArn,
        functionName: 'arn:aws:lambda:us-east-2:210000000001:function:smoke:live',
        region: 'us-east-2',
        timeoutMs: 30000,
      },
    });
  });

  it('asks for help on --help or -h', () => {
    expect(parseSmokeArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseSmokeArgs([...valid, '-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    ['--consumer', 'missing --consumer'],
    ['--role-arn', 'missing --role-arn'],
    ['--function-name', 'missing --function-name'],
    ['--region', 'missing --region'],
  ])('rejects a missing %s', (flag, message) => {
    // GIVEN the options without one required flag
    // WHEN they are parsed
    const error = errorOf(parseSmokeArgs(validWith(flag, undefined)));
    // THEN the one-line error names it and shows the usage
    expect(error).toBe(`error: ${message}. ${SMOKE_USAGE}`);
    expect(error).not.toContain('\n');
  });

  it.each([
    ['--consumer', 'Orders', '--consumer must be a consumer name'],
    ['--consumer', 'a', '--consumer must be a consumer name'],
    ['--role-arn', 'arn:aws:iam::210000000001:user/alice', '--role-arn must be an IAM role ARN'],
    ['--role-arn', 'arn:aws:iam::2222:role/smoke', '--role-arn must be an IAM role ARN'],
    ['--function-name', 'smoke function', '--function-name must be a Lambda function name or ARN'],
    ['--region', 'Ireland', '--region must be an AWS region name'],
    ['--timeout-ms', 'soon', '--timeout-ms must be a whole number of milliseconds'],
    ['--timeout-ms', '0', '--timeout-ms must be a whole number of milliseconds'],
    ['--timeout-ms', '-5', '--timeout-ms must be a whole number of milliseconds'],
    ['--timeout-ms', '1.5', '--timeout-ms must be a whole number of milliseconds'],
    ['--timeout-ms', '900001', '--timeout-ms must be a whole number of milliseconds from 1 to 900000'],
  ])('rejects %s "%s"', (flag, value, message) => {
    // GIVEN otherwise valid options with one invalid value
    const argv = flag === '--timeout-ms' ? [...valid, flag, value] : validWith(flag, value);
    // WHEN they are parsed
    const error = errorOf(parseSmokeArgs(argv));
    // THEN the error names the flag, the rule and the value
    expect(error).toContain(`error: ${message}`);
    expect(error).toContain(`(got "${value}")`);
  });

  it.each([
    [['--consumer'], 'error: --consumer needs a value'],
    [['--consumer', '--region', 'us-east-2'], 'error: --consumer needs a value'],
    [['--consumer='], 'error: --consumer needs a value'],
    [[...valid, '--verbose'], 'error: unknown option --verbose'],
    [[...valid, '--consumer', 'beta'], 'error: --consumer given more than once'],
    [[...valid, 'extra'], 'error: unexpected argument "extra"'],
  ])('rejects %j', (argv, message) => {
    expect(errorOf(parseSmokeArgs(argv))).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. usage: `));
  });
});
