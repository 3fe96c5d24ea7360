import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ALARM_NAMES_PER_CALL,
  BAKE_FAILED,
  BAKE_PASSED,
  runBake,
  sessionDurationSeconds,
  type BakeOptions,
} from '../../src/bake/runBake';
import type { AssumedCredentials } from '../../src/cli/assumeRole';

const stsMock = mockClient(STSClient);
const cloudWatchMock = mockClient(CloudWatchClient);

const roleArn = 'arn:aws:iam::111111111111:role/fixture-api-alarm-reader';
const alarmNames = ['fixture-api-5xx', 'fixture-api-latency'];
const assumedCredentials = {
  AccessKeyId: 'ASIAEXAMPLEASSUMED',
  SecretAccessKey: 'assumed-secret',
  SessionToken: 'assumed-session-token',
  Expiration: new Date('2030-01-01T00:00:00Z'),
};

function alarm(name: string, state: MetricAlarm['StateValue'], reason = 'Threshold Crossed: no datapoints were received'): MetricAlarm {
  return { AlarmName: name, StateValue: state, StateReason: reason, StateUpdatedTimestamp: new Date('2030-01-01T12:00:00.000Z') };
}

const answer = (...alarms: MetricAlarm[]): Partial<DescribeAlarmsCommandOutput> => ({ MetricAlarms: alarms, CompositeAlarms: [] });
const allOk = answer(...alarmNames.map((name) => alarm(name, 'OK', 'Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).')));

/** Runs the step against the mocks with a fake clock that the injected sleep advances. */
async function run(overrides: Partial<BakeOptions> = {}) {
  const lines: string[] = [];
  let clock = 1_732_000_000_000;
  const sleep = vi.fn((ms: number) => {
    clock += ms;
    return Promise.resolve();
  });
  const cloudWatchFor = vi.fn((credentials: AssumedCredentials, region: string) => new CloudWatchClient({ region, credentials }));
  const code = await runBake({
    roleArn,
    region: 'us-east-2',
    alarms: alarmNames,
    minutes: 2,
    pollSeconds: 30,
    sts: new STSClient({ region: 'us-east-2' }),
    cloudWatchFor,
    write: (line) => lines.push(line),
    now: () => clock,
    sleep,
    ...overrides,
  });
  return { code, lines, sleep, cloudWatchFor };
}

const describeCalls = () => cloudWatchMock.commandCalls(DescribeAlarmsCommand);

beforeEach(() => {
  stsMock.reset();
  cloudWatchMock.reset();
  stsMock.on(AssumeRoleCommand).resolves({ Credentials: assumedCredentials });
  cloudWatchMock.on(DescribeAlarmsCommand).resolves(allOk);
});

describe('runBake', () => {
  it('passes after N minutes of OK alarms, checking every poll interval and once more at the end', async () => {
    // GIVEN alarms that stay OK
    // WHEN a 2-minute bake polls every 30 s
    const { code, lines, sleep } = await run();
    // THEN it checked at 0, 30, 60, 90 and 120 s, and passed
    expect(code).toBe(BAKE_PASSED);
    expect(describeCalls()).toHaveLength(5);
    expect(sleep.mock.calls).toEqual([[30_000], [30_000], [30_000], [30_000]]);
    expect(lines).toEqual([
      'Baking for 2 minute(s) in us-east-2: 2 alarm(s), checked every 30 s',
      '  0m00s: OK 2',
      '  0m30s: OK 2',
      '  1m00s: OK 2',
      '  1m30s: OK 2',
      '  2m00s: OK 2',
      'Bake passed: none of 2 alarm(s) went into ALARM in 2 minute(s) (5 check(s))',
    ]);
  });

  it('asks for every alarm kind by name, with the assumed role, in the region given', async () => {
    const { cloudWatchFor } = await run({ minutes: 0 });
    expect(describeCalls()[0]?.args[0].input).toEqual({
      AlarmNames: alarmNames,
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm', 'LogAlarm'],
      MaxRecords: 100,
      NextToken: undefined,
    });
    expect(stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: roleArn, RoleSessionName: 'bake-1732000000000', DurationSeconds: 900 },
    ]);
    expect(cloudWatchFor).toHaveBeenCalledWith(
      { accessKeyId: 'ASIAEXAMPLEASSUMED', secretAccessKey: 'assumed-secret', sessionToken: 'assumed-session-token' },
      'us-east-2',
    );
  });

  it('fails at once when an alarm goes into ALARM mid-bake, naming it with its reason and time', async () => {
    // GIVEN the 5xx alarm fires on the third check
    const reason = 'Threshold Crossed: 2 out of the last 2 datapoints [12.0 (01/01/30 11:59:00), 9.0 (01/01/30 11:58:00)] were greater than the threshold (5.0).';
    cloudWatchMock
      .on(DescribeAlarmsCommand)
      .resolvesOnce(allOk)
      .resolvesOnce(allOk)
      .resolves(answer(alarm('fixture-api-5xx', 'ALARM', reason), alarm('fixture-api-latency', 'OK')));
    // WHEN the 2-minute bake runs
    const { code, lines } = await run();
    // THEN it stops at that check, naming the alarm, when it fired and why
    expect(code).toBe(BAKE_FAILED);
    expect(describeCalls()).toHaveLength(3);
    expect(lines.slice(-2)).toEqual([
      '✗ Bake FAILED in us-east-2: "fixture-api-5xx" in ALARM after 1m00s',
      `  ✗ "fixture-api-5xx" in ALARM since 2030-01-01T12:00:00.000Z: ${reason}`,
    ]);
  });

  it('fails at the first check naming every alarm that does not exist', async () => {
    // GIVEN one of the names matches no alarm
    cloudWatchMock.on(DescribeAlarmsCommand).resolves(answer(alarm('fixture-api-5xx', 'OK')));
    // WHEN the bake starts
    const { code, lines, sleep } = await run();
    // THEN it fails at once: a misconfigured bake would watch nothing
    expect(code).toBe(BAKE_FAILED);
    expect(describeCalls()).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
    expect(lines.at(-1)).toBe('✗ Bake FAILED in us-east-2: alarm(s) not found, a misconfiguration (check --alarms and --region): "fixture-api-latency"');
  });

  it('fails when an alarm is deleted during the bake', async () => {
    cloudWatchMock.on(DescribeAlarmsCommand).resolvesOnce(allOk).resolves(answer(alarm('fixture-api-5xx', 'OK')));
    const { code, lines } = await run();
    expect(code).toBe(BAKE_FAILED);
    expect(lines.at(-1)).toBe('✗ Bake FAILED in us-east-2: alarm(s) deleted during the bake: "fixture-api-latency"');
  });

  it('passes alarms in INSUFFICIENT_DATA (a fresh deployment often has no data yet)', async () => {
    cloudWatchMock.on(DescribeAlarmsCommand).resolves(answer(alarm('fixture-api-5xx', 'INSUFFICIENT_DATA'), alarm('fixture-api-latency', 'OK')));
    const { code, lines } = await run({ minutes: 1 });
    expect(code).toBe(BAKE_PASSED);
    expect(lines[1]).toBe('  0m00s: INSUFFICIENT_DATA 1, OK 1');
  });

  it('checks once and returns with --minutes 0', async () => {
    const { code, lines, sleep } = await run({ minutes: 0 });
    expect(code).toBe(BAKE_PASSED);
    expect(describeCalls()).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
    expect(lines).toEqual([
      'Checking 2 alarm(s) once in us-east-2',
      '  0m00s: OK 2',
      'Bake passed: none of 2 alarm(s) went into ALARM in 0 minute(s) (1 check(s))',
    ]);
  });

  it('also fails on a composite alarm in ALARM', async () => {
    cloudWatchMock.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [alarm('fixture-api-5xx', 'OK')],
      CompositeAlarms: [{ AlarmName: 'fixture-api-latency', StateValue: 'ALARM', StateReason: 'arn:…:alarm:a transitioned to ALARM', StateUpdatedTimestamp: new Date('2030-01-01T12:00:00.000Z') }],
    });
    const { code, lines } = await run({ minutes: 0 });
    expect(code).toBe(BAKE_FAILED);
    expect(lines.at(-1)).toBe('  ✗ "fixture-api-latency" in ALARM since 2030-01-01T12:00:00.000Z: arn:…:alarm:a transitioned to ALARM');
  });

  it('cuts the last wait short so that the final check falls on the deadline', async () => {
    const { code, sleep } = await run({ minutes: 1, pollSeconds: 45 });
    expect(code).toBe(BAKE_PASSED);
    expect(sleep.mock.calls).toEqual([[45_000], [15_000]]);
    expect(describeCalls()).toHaveLength(3);
  });

  it(`asks for at most ${ALARM_NAMES_PER_CALL} names per call and follows NextToken`, async () => {
    // GIVEN 150 alarms, the first 100 answered in two pages
    const many = Array.from({ length: 150 }, (_, index) => `alarm-${index}`);
    cloudWatchMock
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ ...answer(...many.slice(0, 60).map((name) => alarm(name, 'OK'))), NextToken: 'more' })
      .resolvesOnce(answer(...many.slice(60, 100).map((name) => alarm(name, 'OK'))))
      .resolvesOnce(answer(...many.slice(100).map((name) => alarm(name, 'OK'))));
    // WHEN the bake checks once
    const { code } = await run({ alarms: many, minutes: 0 });
    // THEN it passed, having asked for 100 then 50 names
    expect(code).toBe(BAKE_PASSED);
    expect(describeCalls().map((call) => [call.args[0].input.AlarmNames?.length, call.args[0].input.NextToken])).toEqual([
      [100, undefined],
      [100, 'more'],
      [50, undefined],
    ]);
  });

  it('retries a throttled check', async () => {
    const throttled = new CloudWatchServiceException({ name: 'Throttling', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
    cloudWatchMock.on(DescribeAlarmsCommand).rejectsOnce(throttled).resolves(allOk);
    const { code, sleep } = await run({ minutes: 0 });
    expect(code).toBe(BAKE_PASSED);
    expect(sleep.mock.calls).toEqual([[1000]]);
  });

  it('fails in one line when CloudWatch refuses the role', async () => {
    cloudWatchMock
      .on(DescribeAlarmsCommand)
      .rejects(new CloudWatchServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'User is not authorized to perform: cloudwatch:DescribeAlarms' }));
    const { code, lines } = await run();
    expect(code).toBe(BAKE_FAILED);
    expect(lines.at(-1)).toBe('✗ Bake FAILED in us-east-2: could not read the alarms: AccessDenied: User is not authorized to perform: cloudwatch:DescribeAlarms');
  });

  it('fails in one line naming the role when AssumeRole is denied, and reads no alarm', async () => {
    // GIVEN the pipeline may not assume the alarm reader role
    const denied = new STSServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::111111111111:assumed-role/pipeline/build is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    });
    stsMock.on(AssumeRoleCommand).rejects(denied);
    // WHEN the step runs
    const { code, lines, cloudWatchFor } = await run();
    // THEN it fails with the role and the error
    expect(code).toBe(BAKE_FAILED);
    expect(lines).toEqual([`✗ Bake FAILED in us-east-2: could not assume role ${roleArn}: AccessDenied: ${denied.message}`]);
    expect(cloudWatchFor).not.toHaveBeenCalled();
    expect(describeCalls()).toHaveLength(0);
  });
});

describe('sessionDurationSeconds', () => {
  it('outlasts the bake by 5 minutes, within 15 minutes and one hour', () => {
    expect(sessionDurationSeconds(0)).toBe(900);
    expect(sessionDurationSeconds(30)).toBe(2100);
    expect(sessionDurationSeconds(55)).toBe(3600);
  });
});
