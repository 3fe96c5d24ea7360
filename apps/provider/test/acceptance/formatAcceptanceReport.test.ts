import { describe, expect, it } from 'vitest';
import { formatAcceptanceReport, type AcceptanceReport } from '../../src/index';

const report: AcceptanceReport = {
  serviceId: 'vpce-svc-0123456789abcdef0',
  accepted: [{ endpointId: 'vpce-0a1', owner: '210000000001' }],
  alreadyAccepted: [{ endpointId: 'vpce-0b1', owner: '210000000002' }],
  foreignPending: [{ endpointId: 'vpce-0f1', owner: '999900000001' }],
  missingOwners: ['210000000003'],
  failed: [{ endpointId: 'vpce-0d1', owner: '210000000004', code: 'InvalidState', message: 'The endpoint is\nnot pending' }],
  notAvailable: [{ endpointId: 'vpce-0e1', owner: '210000000005', state: 'pending' }],
};

describe('formatAcceptanceReport', () => {
  it('prints one line per item, naming the endpoint id and the owner account', () => {
    // GIVEN a report with one item of every kind
    // WHEN it is formatted
    const lines = formatAcceptanceReport(report);
    // THEN each item is one line, marked by outcome
    expect(lines).toEqual([
      '✓ vpce-0a1 (account 210000000001): accepted',
      '✓ vpce-0b1 (account 210000000002): already accepted',
      '- vpce-0f1 (account 999900000001): left pending: owner is not an allowed consumer',
      '✗ account 210000000003: no endpoint connection to vpce-svc-0123456789abcdef0',
      '✗ vpce-0d1 (account 210000000004): accept failed: InvalidState: The endpoint is not pending',
      '✗ vpce-0e1 (account 210000000005): accepted but not available (state pending)',
    ]);
  });

  it('says why a foreign connection was left pending in the caller’s words', () => {
    const lines = formatAcceptanceReport(report, { foreignPendingNote: 'not a consumer of this wave' });
    expect(lines[2]).toBe('- vpce-0f1 (account 999900000001): left pending: not a consumer of this wave');
  });

  it('prints nothing for an empty report', () => {
    const empty: AcceptanceReport = { ...report, accepted: [], alreadyAccepted: [], foreignPending: [], missingOwners: [], failed: [], notAvailable: [] };
    expect(formatAcceptanceReport(empty)).toEqual([]);
  });
});
