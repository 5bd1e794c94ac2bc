/**
 * The least two hot paths must do, each built from Safeshare's own parts and measured beside the
 * path itself, as the measured limit of a goal the path does not meet (docs/performance.md):
 * - a disclosure's floor: its bearer token checked, its row and its audit event written in one
 *   transaction, committed and answered. Nothing else: no rule of the source policy checked (the
 *   decision, consent now, the method policy, the checklist, the people's access), which the real
 *   path must do at the moment of sending;
 * - a signed-in page's floor: `GET /more`, Safeshare's lightest signed-in page (the session and the
 *   unread notifications read, the GOV.UK layout rendered with the security headers and CSRF cookie
 *   of every page), against `GET /`, which also reads the home page's counts and training date.
 *
 *   npm run bench:floors   (BENCH_DATABASE_URL=postgres://... adds the machine's server)
 */
import Fastify from 'fastify';
import { actorOf } from '../src/auth/index.ts';
import type { Db } from '../src/db/client.ts';
import { insertDisclosure } from '../src/disclosures/disclosures.repository.ts';
import { toJson } from '../src/lib/canonical-json.ts';
import { services as buildServices } from '../src/services.ts';
import { disclosureEndpoint, postDisclosures, type DisclosureTarget } from './disclosure-api.ts';
import { benchDependencies, benchTargets, runsAlone, type LoadResult } from './support.ts';
import { getSignedInPage, signedInSite } from './http-page.ts';

interface FloorBody {
  readonly recipientIndex: number;
  readonly method: string;
  readonly categoryIds: string[];
  readonly description: string;
  readonly checklist: Record<string, unknown>;
}

/**
 * A disclosure's floor listening on loopback, under the decision and with the token of a target of
 * `disclosureEndpoint` (whose app may be closed by then).
 */
export async function disclosureFloor(
  db: Db,
  databaseUrl: string,
  { url, token }: DisclosureTarget,
): Promise<{ readonly target: DisclosureTarget; close(): Promise<void> }> {
  const decisionId = /decisions\/([^/]+)\/disclosures/.exec(url)?.[1] ?? '';
  const decision = await db
    .selectFrom('sharing_decisions')
    .select(['organisation_id', 'purpose_id', 'answers'])
    .where('id', '=', decisionId)
    .executeTakeFirstOrThrow();
  const recipients = decision.answers.recipients?.recipients ?? [];
  const { apiTokens, audit } = buildServices(benchDependencies(db, databaseUrl));
  const app = Fastify({ logger: false });
  app.post<{ Params: { decisionId: string }; Body: FloorBody }>(
    '/floor/:decisionId',
    async (request, reply) => {
      const bearer = await apiTokens.bearerFor((request.headers.authorization ?? '').slice('Bearer '.length));
      if (bearer === undefined) return reply.code(401).send();
      const { body } = request;
      const recipient = recipients[body.recipientIndex];
      if (recipient === undefined) return reply.code(400).send();
      const now = new Date();
      const row = await db.transaction().execute(async (trx) => {
        const written = await insertDisclosure(trx, {
          organisation_id: decision.organisation_id,
          decision_id: request.params.decisionId,
          method: body.method,
          recipient_name: recipient.name,
          recipient_role: recipient.role,
          recipient_organisation_id: recipient.organisationId,
          recipient_contact: null,
          purpose_id: decision.purpose_id ?? '',
          category_ids: body.categoryIds,
          description: body.description,
          checklist: JSON.stringify(body.checklist),
          method_advice: JSON.stringify({ allowed: true }),
          policy_version: 'floor',
          disclosed_at: now,
          disclosed_by: bearer.viewer.userId,
          receipt_due_on: null,
          custody_item_id: null,
          created_at: now,
        });
        await audit.record(trx, {
          organisationId: decision.organisation_id,
          actor: actorOf(bearer.viewer),
          action: 'disclosure.recorded',
          entity: { type: 'disclosure', id: written.id },
          change: toJson({
            decisionId: request.params.decisionId,
            method: body.method,
            categoryIds: body.categoryIds,
            description: body.description,
            checklist: body.checklist,
          }),
        });
        return written;
      });
      return reply.code(201).send(row);
    },
  );
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { target: { url: `${base}/floor/${decisionId}`, token }, close: () => app.close() };
}

if (runsAlone(import.meta.url)) {
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
  const report = (label: string, result: LoadResult) =>
    console.log(
      `  ${label}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
        `${result['2xx']} ok of ${result.requests.total}`,
    );
  for await (const database of benchTargets(20)) {
    console.log(database.label);
    const endpoint = await disclosureEndpoint(database.db, database.url);
    await postDisclosures(endpoint.decisions[0], ['-c', '5', '-a', '200']);
    report(
      'POST a disclosure',
      await postDisclosures(endpoint.decisions[0], ['-c', '20', '-d', String(seconds)]),
    );
    await endpoint.close();
    const floor = await disclosureFloor(database.db, database.url, endpoint.decisions[0]);
    await postDisclosures(floor.target, ['-c', '5', '-a', '200']);
    report("a disclosure's floor", await postDisclosures(floor.target, ['-c', '20', '-d', String(seconds)]));
    await floor.close();
    const site = await signedInSite(database.db, database.url);
    for (const path of ['/', '/more']) {
      await getSignedInPage(site, path, ['-c', '10', '-a', '500']);
      report(`GET ${path}`, await getSignedInPage(site, path, ['-c', '50', '-d', String(seconds)]));
    }
    await site.close();
    await database.dispose();
  }
}
