import { describe, expect, it } from 'vitest';
import {
  alarmNameOf,
  alarmNamePrefixOf,
  alarmTopicName,
  autoscalingEnabled,
  consumerAlarmName,
  dashboardNameOf,
  deploymentAlarmNames,
  environmentsOf,
  parseDeploymentConfig,
  type EnvironmentConfig,
} from '../src/index';
import { errorFor } from './errorFor';

type Mutable = Record<string, unknown> & { provider: Record<string, unknown> };

/**
 * A config with one environment, changed by `edit`. Its values are this test's own, none of the
 * example deploy.config.ts's (libs/config cannot import the @private-api/testing fixtures: they
 * depend on this library).
 */
function configWith(edit: (environment: Mutable) => void = () => undefined): Record<string, unknown> {
  const environment: Mutable = {
    name: 'uat',
    provider: { account: '303030303030', region: 'ap-southeast-2', availabilityZones: ['apse2-az1', 'apse2-az3'], vpcCidr: '10.70.0.0/16', desiredCount: 4 },
    consumers: [{ name: 'ledger', account: '404040404040', region: 'ap-southeast-2', availabilityZones: ['apse2-az1', 'apse2-az3'], vpcCidr: '10.71.0.0/16' }],
  };
  edit(environment);
  return { service: { name: 'payments', image: { directory: 'x' } }, environments: [environment] };
}

function environmentWith(edit?: (environment: Mutable) => void): EnvironmentConfig {
  const [environment] = environmentsOf(parseDeploymentConfig(configWith(edit)));
  if (!environment) throw new Error('no environment');
  return environment;
}

describe('provider scaling', () => {
  it('scales from desiredCount to twice it by default, on 6000 requests per task per minute and 60 % CPU', () => {
    // GIVEN an environment without a scaling section (desiredCount 4)
    // WHEN it is parsed
    const { provider } = environmentWith();
    // THEN
    expect(provider.scaling).toEqual({ minCount: 4, maxCount: 8, requestsPerTarget: 6000, cpuPercent: 60 });
    expect(autoscalingEnabled(provider.scaling)).toBe(true);
  });

  it('keeps the values the config gives, with minCount always desiredCount', () => {
    const { provider } = environmentWith((c) => (c.provider.scaling = { maxCount: 12, requestsPerTarget: 900, cpuPercent: 45 }));
    expect(provider.scaling).toEqual({ minCount: 4, maxCount: 12, requestsPerTarget: 900, cpuPercent: 45 });
  });

  it('turns autoscaling off when maxCount equals desiredCount', () => {
    const { provider } = environmentWith((c) => (c.provider.scaling = { maxCount: 4 }));
    expect(provider.scaling.maxCount).toBe(4);
    expect(autoscalingEnabled(provider.scaling)).toBe(false);
  });

  it('caps the default maximum at 500 tasks', () => {
    // desiredCount itself stops at 100, so 2 × desiredCount never passes 500 today: the cap
    // is asserted through the maximum the schema accepts.
    const { provider } = environmentWith((c) => {
      c.provider.desiredCount = 100;
      c.provider.scaling = { maxCount: 500 };
    });
    expect(provider.scaling.maxCount).toBe(500);
    expect(environmentWith((c) => (c.provider.desiredCount = 100)).provider.scaling.maxCount).toBe(200);
  });
});

describe('provider monitoring', () => {
  it('applies the default thresholds, no emails and a 10-minute bake', () => {
    const { provider } = environmentWith();
    expect(provider.monitoring).toEqual({
      alarmEmails: [],
      target5xxPercent: 1,
      p99LatencyMs: 1000,
      unhealthyTargets: 1,
      endpointResets: 100,
      consumerPacketsDropped: 1,
      databaseCpuPercent: 80,
      databaseFreeStoragePercent: 10,
      databaseConnections: 200,
      bakeMinutes: 10,
    });
  });

  it('keeps the values the config gives, database thresholds included when there is a database', () => {
    const { provider } = environmentWith((c) => {
      c.provider.database = {};
      c.provider.monitoring = {
        alarmEmails: ['oncall@example.org', 'payments-team@example.org'],
        target5xxPercent: 0.5,
        p99LatencyMs: 250,
        unhealthyTargets: 2,
        endpointResets: 40,
        consumerPacketsDropped: 7,
        databaseCpuPercent: 70,
        databaseFreeStoragePercent: 25,
        databaseConnections: 90,
        bakeMinutes: 0,
      };
    });
    expect(provider.monitoring).toEqual({
      alarmEmails: ['oncall@example.org', 'payments-team@example.org'],
      target5xxPercent: 0.5,
      p99LatencyMs: 250,
      unhealthyTargets: 2,
      endpointResets: 40,
      consumerPacketsDropped: 7,
      databaseCpuPercent: 70,
      databaseFreeStoragePercent: 25,
      databaseConnections: 90,
      bakeMinutes: 0,
    });
  });

  it('fills in only the thresholds the config leaves out', () => {
    const { provider } = environmentWith((c) => {
      c.provider.database = {};
      c.provider.monitoring = { databaseConnections: 55 };
    });
    expect(provider.monitoring).toMatchObject({ databaseCpuPercent: 80, databaseFreeStoragePercent: 10, databaseConnections: 55, bakeMinutes: 10 });
  });
});

describe('derived names', () => {
  const config = environmentWith();

  it('names each alarm <service>-<env>-<alarm>', () => {
    expect(alarmNameOf(config, 'target-5xx-rate')).toBe('payments-uat-target-5xx-rate');
    expect(alarmNameOf(config, 'database-free-storage')).toBe('payments-uat-database-free-storage');
    expect(alarmNamePrefixOf(config)).toBe('payments-uat-');
  });

  it('lists the deployment alarms: the ALB 5xx rate, unhealthy targets and p99 latency', () => {
    expect(deploymentAlarmNames(config)).toEqual(['payments-uat-target-5xx-rate', 'payments-uat-unhealthy-targets', 'payments-uat-p99-latency']);
  });

  it('names the topic, the dashboard and a consumer alarm', () => {
    expect(alarmTopicName(config)).toBe('payments-uat-alarms');
    expect(dashboardNameOf(config)).toBe('payments-uat');
    // CloudWatch dashboard names: letters, digits, - and _ only, at most 255 characters.
    expect(dashboardNameOf(config)).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
    const [ledger] = config.consumers;
    if (!ledger) throw new Error('no consumer');
    expect(consumerAlarmName(config, ledger)).toBe('payments-uat-consumer-ledger-packets-dropped');
  });
});

describe('invalid scaling and monitoring', () => {
  const cases: { name: string; edit: (c: Mutable) => void; field: string; problem: RegExp; value: string }[] = [
    { name: 'maxCount below desiredCount', edit: (c) => (c.provider.scaling = { maxCount: 3 }), field: 'provider.scaling.maxCount', problem: /at least desiredCount \(4\)/, value: '3' },
    { name: 'a fractional maxCount', edit: (c) => (c.provider.scaling = { maxCount: 6.5 }), field: 'provider.scaling.maxCount', problem: /whole number from 1 to 500/, value: '6.5' },
    { name: 'maxCount over 500', edit: (c) => (c.provider.scaling = { maxCount: 501 }), field: 'provider.scaling.maxCount', problem: /whole number from 1 to 500/, value: '501' },
    { name: 'no requests per target', edit: (c) => (c.provider.scaling = { requestsPerTarget: 0 }), field: 'provider.scaling.requestsPerTarget', problem: /whole number from 1/, value: '0' },
    { name: 'a CPU target under 10 %', edit: (c) => (c.provider.scaling = { cpuPercent: 5 }), field: 'provider.scaling.cpuPercent', problem: /from 10 to 90/, value: '5' },
    { name: 'a CPU target over 90 %', edit: (c) => (c.provider.scaling = { cpuPercent: 95 }), field: 'provider.scaling.cpuPercent', problem: /from 10 to 90/, value: '95' },
    { name: 'an unknown scaling field', edit: (c) => (c.provider.scaling = { minCount: 2 }), field: 'provider.scaling', problem: /unknown field\(s\) minCount/, value: '2' },
    { name: 'an invalid email', edit: (c) => (c.provider.monitoring = { alarmEmails: ['ops@example.org', 'not-an-email'] }), field: 'provider.monitoring.alarmEmails[1]', problem: /email address/, value: '"not-an-email"' },
    { name: 'a repeated email', edit: (c) => (c.provider.monitoring = { alarmEmails: ['ops@example.org', 'OPS@example.org'] }), field: 'provider.monitoring.alarmEmails[1]', problem: /repeats alarmEmails\[0\]/, value: '"OPS@example.org"' },
    { name: 'a 5xx rate of 0 %', edit: (c) => (c.provider.monitoring = { target5xxPercent: 0 }), field: 'provider.monitoring.target5xxPercent', problem: /above 0 and at most 100/, value: '0' },
    { name: 'a 5xx rate over 100 %', edit: (c) => (c.provider.monitoring = { target5xxPercent: 101 }), field: 'provider.monitoring.target5xxPercent', problem: /above 0 and at most 100/, value: '101' },
    { name: 'a fractional p99 latency', edit: (c) => (c.provider.monitoring = { p99LatencyMs: 0.5 }), field: 'provider.monitoring.p99LatencyMs', problem: /whole number of milliseconds/, value: '0.5' },
    { name: 'no unhealthy targets', edit: (c) => (c.provider.monitoring = { unhealthyTargets: 0 }), field: 'provider.monitoring.unhealthyTargets', problem: /whole number from 1/, value: '0' },
    { name: 'no endpoint resets', edit: (c) => (c.provider.monitoring = { endpointResets: 0 }), field: 'provider.monitoring.endpointResets', problem: /whole number from 1/, value: '0' },
    { name: 'no dropped packets', edit: (c) => (c.provider.monitoring = { consumerPacketsDropped: -1 }), field: 'provider.monitoring.consumerPacketsDropped', problem: /whole number from 1/, value: '-1' },
    { name: 'a bake longer than a chained role session', edit: (c) => (c.provider.monitoring = { bakeMinutes: 56 }), field: 'provider.monitoring.bakeMinutes', problem: /whole number of minutes from 0 to 55/, value: '56' },
    { name: 'a bake time as text', edit: (c) => (c.provider.monitoring = { bakeMinutes: '10' }), field: 'provider.monitoring.bakeMinutes', problem: /whole number of minutes/, value: '"10"' },
    {
      name: 'a database CPU threshold over 100 %',
      edit: (c) => {
        c.provider.database = {};
        c.provider.monitoring = { databaseCpuPercent: 120 };
      },
      field: 'provider.monitoring.databaseCpuPercent',
      problem: /from 1 to 100/,
      value: '120',
    },
    {
      name: 'a database CPU threshold without a database',
      edit: (c) => (c.provider.monitoring = { databaseCpuPercent: 75 }),
      field: 'provider.monitoring.databaseCpuPercent',
      problem: /no provider.database/,
      value: '75',
    },
    {
      name: 'a free storage threshold without a database',
      edit: (c) => (c.provider.monitoring = { databaseFreeStoragePercent: 15 }),
      field: 'provider.monitoring.databaseFreeStoragePercent',
      problem: /no provider.database/,
      value: '15',
    },
    {
      name: 'a connections threshold without a database',
      edit: (c) => (c.provider.monitoring = { databaseConnections: 150 }),
      field: 'provider.monitoring.databaseConnections',
      problem: /no provider.database/,
      value: '150',
    },
    { name: 'an unknown monitoring field', edit: (c) => (c.provider.monitoring = { alarmEmail: 'ops@example.org' }), field: 'provider.monitoring', problem: /unknown field\(s\) alarmEmail/, value: '"ops@example.org"' },
  ];

  it.each(cases)('fails with one message naming the field and the value when the config has $name', ({ edit, field, problem, value }) => {
    // GIVEN a config with one bad value WHEN it is parsed
    const error = errorFor(configWith(edit));
    // THEN exactly one issue names the field, says what is wrong and shows the value
    expect(error.issues.map((issue) => issue.field)).toEqual([`environments[0].${field}`]);
    expect(error.issues[0]?.problem).toMatch(problem);
    expect(error.message).toContain(`environments[0].${field}: `);
    expect(error.message).toContain(`(got ${value})`);
  });
});
