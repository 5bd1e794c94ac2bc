import type { FastifyInstance } from 'fastify';
import { roleNames, isRole } from '../../auth/index.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { formatDateTime } from '../../lib/time.ts';
import { viewerOf } from '../../web/forms.ts';
import { PersonReasonRequiredError } from '../people.errors.ts';
import type { AccessBasis } from '../people.model.ts';
import { peoplePaths } from '../people.paths.ts';
import { personParams } from '../people.schema.ts';
import type { PeoplePages } from './context.ts';

/** Who may see who opened a record: those who oversee access, and the allocated worker's line manager. */
const openingReaders = ['dpo', 'caldicott_guardian', 'auditor', 'manager'] as const;
const overseers = ['dpo', 'caldicott_guardian', 'auditor'];

const basisWords: Readonly<Record<string, string>> = {
  role: 'Their role covers every record',
  allocated: 'Allocated to them',
  team: 'Allocated to someone they line-manage',
  'family-member': 'A family member of someone allocated to them',
  'break-glass': 'A reason they recorded',
} satisfies Record<AccessBasis, string>;

/** Who has opened a person's record, when, in what role and on what basis or reason (R2.5, invariant 4). */
export function openedByRoutes(app: FastifyInstance, pages: PeoplePages): void {
  const { people, auditTrail } = pages;

  app.get(
    '/people/:personId/opened-by',
    { config: { access: openingReaders, audit: 'none' } },
    async (request, reply) => {
      const params = personParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const personId = params.data.personId;
      const viewer = viewerOf(request);
      // Another organisation's person is not found; a line manager sees this only for their team's cases.
      let basis: AccessBasis | null = null;
      try {
        basis = await people.basis(viewer, personId);
      } catch (error) {
        if (!(error instanceof PersonReasonRequiredError)) throw error;
      }
      const oversees = viewer.roles.some((role) => overseers.includes(role));
      if (!oversees && basis !== 'team') throw new NotFoundError();
      const openings = await auditTrail.recordOpenings(viewer.organisationId, personId);
      return reply.render('people/views/opened-by.njk', {
        pageTitle: 'Who has opened this record',
        backLink: basis === null ? undefined : peoplePaths.show(personId),
        rows: openings.map((opening) => [
          { text: formatDateTime(opening.occurredAt) },
          { text: opening.by },
          { text: opening.roles.map((role) => (isRole(role) ? roleNames[role] : role)).join(', ') || 'None' },
          {
            text:
              opening.kind === 'reason'
                ? `Gave a reason: ${opening.reason ?? 'none recorded'}`
                : (basisWords[opening.reason ?? ''] ?? opening.reason ?? 'None recorded'),
          },
        ]),
      });
    },
  );
}
