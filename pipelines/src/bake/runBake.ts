/**
 * Pipeline step run after a deployment: watches the provider's alarms for a while ("bake time")
 * before the pipeline moves on, and stops it as soon as one fires. It assumes a role in the
 * provider account, reads the alarms every poll interval, fails at once on an alarm in ALARM
 * (or one that does not exist: a misconfigured step would otherwise watch nothing), and passes
 * when the time is up. INSUFFICIENT_DATA passes: a new deployment often has no data yet. It
 * never throws and never prints a stack trace.
 */
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { STSClient } from '@aws-sdk/client-sts';
import { assumeRole, describeError, type AssumedCredentials } from '../cli/assumeRole';
import { classifyAwsError } from '../preflight';

export interface BakeOptions {
  /** Role in the provider account allowed to read the alarms. */
  readonly roleArn: string;
  readonly region: string;
  readonly alarms: readonly string[];
  /** How long to watch; 0 checks once. */
  readonly minutes: number;
  readonly pollSeconds: number;
  readonly sts: STSClient;
  readonly cloudWatchFor: (credentials: AssumedCredentials, region: string) => CloudWatchClient;
  /** Receives the report, one line per call. */
  readonly write: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default - a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Exit codes of the step. */
export const BAKE_PASSED = 0;
export const BAKE_FAILED = 1;

/** DescribeAlarms takes at most 100 names per call. */
export const ALARM_NAMES_PER_CALL = 100;

/** Tries of one throttled DescribeAlarms call, and the first back-off (doubling). */
const THROTTLE_ATTEMPTS = 3;
const THROTTLE_BACKOFF_MS = 1000;

/**
 * Every alarm kind: without `AlarmTypes`, DescribeAlarms returns metric alarms only, so a
 * composite alarm would look missing.
 */
const ALARM_TYPES = ['MetricAlarm', 'CompositeAlarm', 'LogAlarm'] as const;

interface AlarmState {
  readonly name: string;
  readonly state: string;
  readonly reason: string;
  readonly since?: Date;
}

/** Watches the alarms and reports through `write`; resolves to the exit code. */
export async function runBake(options: BakeOptions): Promise<number> {
  const { roleArn, region, alarms, minutes } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const fail = (headline: string, details: readonly string[] = []): number => {
    options.write(`✗ Bake FAILED in ${region}: ${headline}`);
    for (const line of details) options.write(`  ${line}`);
    return BAKE_FAILED;
  };

  const assumed = await assumeRole(options.sts, { roleArn, sessionName: `bake-${now()}`, durationSeconds: sessionDurationSeconds(minutes) });
  if ('problem' in assumed) return fail(assumed.problem);
  const { credentials } = assumed;

  let cloudWatch: CloudWatchClient;
  try {
    cloudWatch = options.cloudWatchFor(credentials, region);
  } catch (error) {
    return fail(`could not create a CloudWatch client for ${region}: ${describeError(error)}`);
  }
  try {
    const start = now();
    const deadline = start + minutes * 60_000;
    options.write(
      minutes === 0
        ? `Checking ${alarms.length} alarm(s) once in ${region}`
        : `Baking for ${minutes} minute(s) in ${region}: ${alarms.length} alarm(s), checked every ${options.pollSeconds} s`,
    );
    for (let poll = 1; ; poll += 1) {
      let states: Map<string, AlarmState>;
      try {
        states = await describeAlarms(cloudWatch, alarms, sleep);
      } catch (error) {
        return fail(`could not read the alarms: ${describeError(error)}`);
      }
      const missing = alarms.filter((name) => !states.has(name));
      if (missing.length > 0) {
        const names = missing.map((name) => `"${name}"`).join(', ');
        return poll === 1
          ? fail(`alarm(s) not found, a misconfiguration (check --alarms and --region): ${names}`)
          : fail(`alarm(s) deleted during the bake: ${names}`);
      }
      const firing = alarms.flatMap((name) => {
        const alarm = states.get(name);
        return alarm?.state === 'ALARM' ? [alarm] : [];
      });
      const elapsed = elapsedText(now() - start);
      if (firing.length > 0) {
        return fail(
          `${firing.map((alarm) => `"${alarm.name}"`).join(', ')} in ALARM after ${elapsed}`,
          firing.map((alarm) => `✗ "${alarm.name}" in ALARM since ${alarm.since?.toISOString() ?? 'an unknown time'}: ${oneLine(alarm.reason)}`),
        );
      }
      options.write(`  ${elapsed}: ${summary(alarms, states)}`);
      const remaining = deadline - now();
      if (remaining <= 0) {
        options.write(`Bake passed: none of ${alarms.length} alarm(s) went into ALARM in ${minutes} minute(s) (${poll} check(s))`);
        return BAKE_PASSED;
      }
      // The last wait is cut short so that the final check falls on the deadline.
      await sleep(Math.min(options.pollSeconds * 1000, remaining));
    }
  } finally {
    cloudWatch.destroy();
  }
}

/** The named alarms' states (every kind, every page, at most 100 names a call), throttled calls retried. */
async function describeAlarms(
  cloudWatch: CloudWatchClient,
  names: readonly string[],
  sleep: (ms: number) => Promise<void>,
): Promise<Map<string, AlarmState>> {
  const states = new Map<string, AlarmState>();
  for (let start = 0; start < names.length; start += ALARM_NAMES_PER_CALL) {
    const chunk = names.slice(start, start + ALARM_NAMES_PER_CALL);
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await withThrottleRetry(
        () =>
          cloudWatch.send(
            new DescribeAlarmsCommand({ AlarmNames: chunk, AlarmTypes: [...ALARM_TYPES], MaxRecords: ALARM_NAMES_PER_CALL, NextToken: token }),
          ),
        sleep,
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? []), ...(page.LogAlarms ?? [])]) {
        if (alarm.AlarmName === undefined) continue;
        states.set(alarm.AlarmName, {
          name: alarm.AlarmName,
          state: alarm.StateValue ?? 'unknown',
          reason: alarm.StateReason ?? '(no reason given)',
          since: alarm.StateUpdatedTimestamp,
        });
      }
      nextToken = page.NextToken === '' ? undefined : page.NextToken;
    } while (nextToken !== undefined);
  }
  return states;
}

async function withThrottleRetry<T>(send: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= THROTTLE_ATTEMPTS || classifyAwsError(error).kind !== 'throttled') throw error;
      await sleep(THROTTLE_BACKOFF_MS * 2 ** (attempt - 1));
    }
  }
}

/** `OK 2, INSUFFICIENT_DATA 1`, in a fixed order. */
function summary(names: readonly string[], states: ReadonlyMap<string, AlarmState>): string {
  const counts = new Map<string, number>();
  for (const name of names) {
    const state = states.get(name)?.state ?? 'unknown';
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, count]) => `${state} ${count}`)
    .join(', ');
}

function elapsedText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** The bake plus a margin, within STS's range (15 minutes to the role's default maximum of one hour). */
export function sessionDurationSeconds(minutes: number): number {
  return Math.min(3600, Math.max(900, minutes * 60 + 300));
}


function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
