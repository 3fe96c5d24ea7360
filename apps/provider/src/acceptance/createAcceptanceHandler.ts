import type { EC2Client } from '@aws-sdk/client-ec2';
import { acceptEndpointConnections, type AcceptanceReport, type AcceptanceRetry } from './acceptEndpointConnections';
import type { AcceptorConfig } from './parseAcceptorEnvironment';

/** Where the handler writes its JSON lines (Lambda tags `console.warn`/`console.error` lines with their level). */
export interface AcceptanceLog {
  readonly info: (line: string) => void;
  readonly warn: (line: string) => void;
  readonly error: (line: string) => void;
}

export interface AcceptanceHandlerDependencies {
  /** Created once per execution environment, outside the handler. */
  readonly ec2: EC2Client;
  readonly config: AcceptorConfig;
  /** @default - the console */
  readonly log?: AcceptanceLog;
  /** @default - a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Bounds of one sweep: a throttled call gets 3 tries (1 s, then 2 s apart), well inside the
 * function's timeout. Nothing is waited for: every connection event publishes a new notification.
 */
export const HANDLER_RETRY: AcceptanceRetry = { attempts: 3, delayMs: 1000 };

/** The acceptor's entry point: (SNS event) → the sweep's report. */
export type AcceptanceHandler = (event: unknown) => Promise<AcceptanceReport>;

const CONSOLE_LOG: AcceptanceLog = {
  info: (line) => console.log(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

/**
 * A handler that, on any notification, sweeps the whole service: the notification names one
 * endpoint, but a sweep also catches connections whose notification was lost or failed before.
 * Logs one JSON line per accepted and per foreign pending connection, and throws when an accept
 * failed so that Lambda's retries and error metric see it.
 */
export function createAcceptanceHandler(dependencies: AcceptanceHandlerDependencies): AcceptanceHandler {
  const { ec2, config } = dependencies;
  const log = dependencies.log ?? CONSOLE_LOG;
  const { serviceId } = config;
  return async (event) => {
    log.info(json('info', 'sweeping endpoint connections', { serviceId, notifications: notificationCount(event) }));
    const report = await acceptEndpointConnections({
      ec2,
      serviceId,
      allowedOwners: config.allowedOwners,
      waitForAvailable: false,
      retry: HANDLER_RETRY,
      sleep: dependencies.sleep,
    });
    for (const { endpointId, owner } of report.accepted) {
      log.info(json('info', 'accepted endpoint connection', { serviceId, endpointId, owner }));
    }
    for (const { endpointId, owner } of report.foreignPending) {
      log.warn(json('warn', 'left endpoint connection pending: owner is not an allowed consumer', { serviceId, endpointId, owner }));
    }
    for (const { endpointId, owner, code, message } of report.failed) {
      log.error(json('error', 'could not accept endpoint connection', { serviceId, endpointId, owner, code, error: message }));
    }
    log.info(
      json('info', 'sweep done', {
        serviceId,
        accepted: report.accepted.length,
        alreadyAccepted: report.alreadyAccepted.length,
        foreignPending: report.foreignPending.length,
        failed: report.failed.length,
      }),
    );
    if (report.failed.length > 0) {
      const failures = report.failed.map((f) => `${f.endpointId} (account ${f.owner}): ${f.code}: ${f.message}`).join('; ');
      throw new Error(`could not accept ${report.failed.length} endpoint connection(s) to ${serviceId}: ${failures}`);
    }
    return report;
  };
}

function json(level: 'info' | 'warn' | 'error', message: string, fields: Readonly<Record<string, string | number>>): string {
  return JSON.stringify({ level, message, ...fields });
}

/** SNS delivers one record per invocation today; counted only for the log line, never relied on. */
function notificationCount(event: unknown): number {
  if (typeof event !== 'object' || event === null) return 0;
  const records: unknown = (event as { Records?: unknown }).Records;
  return Array.isArray(records) ? records.length : 0;
}
