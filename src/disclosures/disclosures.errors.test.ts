import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation, createStaff, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Viewer } from '../auth/index.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { DisclosureNotFoundError, DisclosureRuleError } from './index.ts';

let context: TestContext;
let practitioner: TestStaff;

beforeAll(async () => {
  context = await testApp();
  const organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  practitioner = await createStaff(context, { organisationId, roles: ['practitioner'] });
});

function viewer(): Viewer {
  return {
    userId: practitioner.id,
    displayName: 'Test viewer',
    email: practitioner.email,
    organisationId: practitioner.organisationId,
    organisationName: 'Test',
    roles: ['practitioner'],
  };
}

describe("the disclosure log's refusals", () => {
  it('are the shared domain errors the app answers once', async () => {
    const missing = await context.services.disclosures
      .find(viewer(), randomUUID())
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(DisclosureNotFoundError);
    expect(missing).toBeInstanceOf(NotFoundError);

    const future = await context.services.disclosures
      .recordMisdirected(viewer(), {
        receivedOn: '2999-01-01',
        method: 'post',
        sender: 'Wiltshire Council',
        intendedFor: 'Another team',
        whatArrived: 'A letter',
        passedOn: true,
        senderTold: false,
        actionDetails: '',
      })
      .catch((error: unknown) => error);
    expect(future).toBeInstanceOf(DisclosureRuleError);
    expect(future).toBeInstanceOf(RuleError);
    expect((future as RuleError).problems).toEqual([
      {
        field: 'receivedOn',
        code: 'DISCLOSURE.FUTURE_DATE',
        message: 'The date it arrived must be today or in the past',
      },
    ]);
  });
});

describe('the disclosure pages', () => {
  it('each declare the audit event they write', () => {
    const declared = Object.fromEntries(
      context.app.routeRules
        .filter(
          (rule) =>
            !rule.url.startsWith('/api/') &&
            !rule.url.startsWith('/oversight/') &&
            (rule.url.includes('/disclosures') ||
              rule.url.startsWith('/misdirected') ||
              rule.url.startsWith('/consent-withdrawals')),
        )
        .map((rule) => [`${rule.method} ${rule.url}`, rule.audit]),
    );
    expect(declared).toEqual({
      'GET /decisions/:id/disclosures/new': 'none',
      'POST /decisions/:id/disclosures/new': 'none',
      'GET /decisions/:id/disclosures/checklist': 'none',
      'POST /decisions/:id/disclosures/checklist': ['disclosure.recorded'],
      'GET /disclosures/:id': 'none',
      'GET /disclosures/:id/receipt': 'none',
      'POST /disclosures/:id/receipt': ['disclosure.receipt_confirmed'],
      'GET /disclosures/receipts': 'none',
      'GET /misdirected': 'none',
      'GET /misdirected/new': 'none',
      'POST /misdirected/new': ['misdirected.recorded'],
      'GET /consent-withdrawals/:consentId': ['consent.viewed'],
      'GET /consent-withdrawals/:consentId/organisations/:organisationId': ['consent.viewed'],
      'POST /consent-withdrawals/:consentId/organisations/:organisationId': [
        'disclosure.withdrawal_told',
        'consent.viewed',
      ],
    });
  });
});
