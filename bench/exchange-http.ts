/**
 * The secure exchange end to end over HTTP on loopback: a practitioner's browser posts a large file
 * through the sending form (a streamed multipart body), the recipient downloads it with a code's
 * session. Prints each direction's rate and how much the Node process grew at its peak while the
 * file went up and came down (goal: under 64 MB for 500 MB). The app and the client share the
 * process, so the figure includes the client's own buffers.
 * Usage: npm run bench:exchange-http [-- --megabytes 500]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { systemActor } from '../src/audit/index.ts';
import type { Viewer } from '../src/auth/index.ts';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/lib/clock.ts';
import { SecretBox } from '../src/lib/secret-box.ts';
import { newToken, tokenDigest } from '../src/lib/tokens.ts';
import { services as buildServices } from '../src/services.ts';
import { addPerson, givenConsentAnswers } from '../test/support/consent-fixtures.ts';
import { routineShareAnswers } from '../test/support/sharing-fixtures.ts';
import { benchTargets } from './support.ts';

const flag = process.argv.indexOf('--megabytes');
const megabytes = flag === -1 ? 500 : Number(process.argv[flag + 1]);
const caseworker = 'rebecca.sutton@wiltshire.gov.uk';
const megabyte = 1_048_576;

for await (const database of benchTargets(10)) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-bench-exchange-http-'));
  const { db } = database;
  const config = loadConfig({
    NODE_ENV: 'production',
    PUBLIC_URL: 'http://localhost',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    DATABASE_URL: database.url,
    SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    POLICY_PACK: 'default',
    DATA_DIR: dataDir,
  });
  const dependencies = { db, clock: systemClock, secretBox: new SecretBox(randomBytes(32)), config };
  const services = buildServices(dependencies);
  const councilId = await services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: null,
    hosted: true,
  });
  const neighbourId = await services.orgs.create(systemActor, {
    name: 'Wiltshire Council',
    kind: 'local_authority',
    switchboardPhone: null,
    hosted: false,
  });
  await services.orgs.addDomain(systemActor, neighbourId, 'wiltshire.gov.uk');
  const email = 'bench.user@swindon.gov.uk';
  const userId = await services.staff.create(systemActor, {
    organisationId: councilId,
    email,
    displayName: 'Bench User',
    jobTitle: null,
    roles: ['practitioner'],
    lineManagerId: null,
    password: 'a long bench password',
  });
  const viewer: Viewer = {
    userId,
    displayName: 'Bench User',
    email,
    organisationId: councilId,
    organisationName: 'Swindon Borough Council',
    roles: ['practitioner'],
  };
  const world = { people: services.people, consents: services.consent };
  const childId = await addPerson(world, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: userId,
  });
  const today = new Date().toISOString().slice(0, 10);
  await services.consent.record(
    viewer,
    childId,
    givenConsentAnswers({
      givenOn: today,
      recipientOrganisationIds: [neighbourId],
      categoryIds: ['education', 'health'],
      methodIds: ['secure-exchange'],
    }),
  );
  const routine = routineShareAnswers({ personIds: [childId], schoolId: neighbourId });
  const decision = await services.sharing.recordComplete(viewer, {
    ...routine,
    request: { ...routine.request, receivedOn: today },
    recipients: {
      recipients: [
        {
          name: 'Rebecca Sutton',
          role: 'SEN caseworker',
          organisationId: neighbourId,
          email: caseworker,
          reason: 'EHC.',
        },
      ],
    },
  });

  const session = newToken();
  await db
    .insertInto('sessions')
    .values({
      id_digest: tokenDigest(session),
      user_id: userId,
      stage: 'active',
      created_at: new Date(),
      last_seen_at: new Date(),
    })
    .execute();
  const app = await buildApp({ ...dependencies, services, logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  // The form's CSRF token and its cookie, as the browser holds them after loading the page.
  const formPage = await fetch(`${url}/decisions/${decision.id}/packages/new`, {
    headers: { cookie: `__Host-safeshare_session=${session}` },
  });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await formPage.text())?.[1] ?? '';
  const csrfCookie = /__Host-safeshare_csrf=[^;]+/.exec(formPage.headers.get('set-cookie') ?? '')?.[0] ?? '';

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const rssBefore = process.memoryUsage().rss;

  // The multipart body, streamed: the fields, then the file a megabyte at a time.
  const boundary = `----safeshare${randomBytes(8).toString('hex')}`;
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = [
    field('_csrf', csrf),
    field('recipientIndex', '0'),
    field('recipientAddress', ''),
    field('categoryIds', 'education'),
    field('message', 'The file for the bench.'),
    field('mode', 'download'),
    field('expiresInDays', '7'),
    field('downloadLimit', '1'),
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="large.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  ].join('');
  const chunk = randomBytes(megabyte);
  chunk.write('%PDF-1.7\n', 0, 'latin1');
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(Buffer.from(head));
    },
    pull(controller) {
      if (sent < megabytes) {
        controller.enqueue(sent === 0 ? chunk : chunk.subarray(0));
        sent += 1;
      } else {
        controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
        controller.close();
      }
    },
  });
  const upStarted = performance.now();
  const posted = await fetch(`${url}/decisions/${decision.id}/packages/new`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      cookie: `__Host-safeshare_session=${session}; ${csrfCookie}`,
    },
    body,
    duplex: 'half',
    redirect: 'manual',
  });
  const upSeconds = (performance.now() - upStarted) / 1000;
  const rssAfterUpload = peakRss;
  if (posted.status !== 303) throw new Error(`the upload was refused (${String(posted.status)})`);

  // The recipient: a code from the outbox, its session, then the download.
  const row = await db.selectFrom('exchange_packages').select('id').executeTakeFirstOrThrow();
  const file = await db
    .selectFrom('exchange_package_files')
    .select('id')
    .where('package_id', '=', row.id)
    .executeTakeFirstOrThrow();
  await services.exchange.requestCode(row.id, caseworker);
  const mail = await db
    .selectFrom('mail_outbox')
    .select('body')
    .where('subject', 'like', 'Your % code')
    .executeTakeFirstOrThrow();
  const token = await services.exchange.verifyCode(row.id, caseworker, /(\d{6})/.exec(mail.body)?.[1] ?? '');
  const downStarted = performance.now();
  const download = await fetch(`${url}/exchange/packages/${row.id}/files/${file.id}`, {
    headers: { cookie: `__Host-safeshare_exchange=${token ?? ''}` },
  });
  let received = 0;
  for await (const part of (download.body ?? []) as AsyncIterable<Uint8Array>) received += part.length;
  const downSeconds = (performance.now() - downStarted) / 1000;
  clearInterval(sampler);

  const grew = (rss: number) => Math.round((rss - rssBefore) / megabyte);
  console.log(
    `${database.label}, ${String(megabytes)} MB over HTTP: upload ${(megabytes / upSeconds).toFixed(0)} MB/s, ` +
      `download ${(megabytes / downSeconds).toFixed(0)} MB/s (${received === megabytes * megabyte ? 'whole' : `WRONG SIZE ${String(received)}`}); ` +
      `peak RSS growth ${String(grew(rssAfterUpload))} MB during the upload, ${String(grew(peakRss))} MB in all (goal: under 64 MB)`,
  );
  await app.close();
  await database.dispose();
  await fs.rm(dataDir, { recursive: true, force: true });
}
