import type { AcceptanceReport, EndpointConnectionRef } from './acceptEndpointConnections';

export interface FormatAcceptanceReportOptions {
  /**
   * Why a foreign pending connection was left alone, as the caller would say it.
   * @default 'owner is not an allowed consumer'
   */
  readonly foreignPendingNote?: string;
}

/**
 * One line per connection (endpoint id and owner account) and per missing owner: ✓ for accepted
 * and already accepted, `-` for a connection left pending, ✗ for what went wrong. No trailing
 * newlines, no indentation: the caller prints them as it likes.
 */
export function formatAcceptanceReport(report: AcceptanceReport, options: FormatAcceptanceReportOptions = {}): string[] {
  const foreignNote = options.foreignPendingNote ?? 'owner is not an allowed consumer';
  return [
    ...report.accepted.map((connection) => `✓ ${who(connection)}: accepted`),
    ...report.alreadyAccepted.map((connection) => `✓ ${who(connection)}: already accepted`),
    ...report.foreignPending.map((connection) => `- ${who(connection)}: left pending: ${foreignNote}`),
    ...report.missingOwners.map((owner) => `✗ account ${owner}: no endpoint connection to ${report.serviceId}`),
    ...report.failed.map((connection) => `✗ ${who(connection)}: accept failed: ${connection.code}: ${oneLine(connection.message)}`),
    ...report.notAvailable.map((connection) => `✗ ${who(connection)}: accepted but not available (state ${connection.state})`),
  ];
}

function who(connection: EndpointConnectionRef): string {
  return `${connection.endpointId} (account ${connection.owner})`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
