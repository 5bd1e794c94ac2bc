import { actorOf, type Viewer } from '../auth/index.ts';
import type { AuditService } from '../audit/index.ts';
import {
  checkEvidenceFile,
  evidenceExtensions,
  sanitiseFileName,
  type EvidenceFile,
} from '../consent/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, RuleError, type Problem } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import { openBytes, sealBytes, sha256Hex } from '../lib/sealed-bytes.ts';
import { requiredTextFault, singleLine } from '../lib/text.ts';
import { londonToday } from '../lib/time.ts';
import type { OrgsService } from '../orgs/index.ts';
import { channelMethodIds, type ChannelMethodId, type PolicyPack } from '../policy/index.ts';
import * as store from './agreements.repository.ts';
import type { AgreementBasis, AgreementCategory } from './agreements.table.ts';

export type AgreementState = 'not-started' | 'in-force' | 'review-overdue' | 'expired';

/** An information sharing agreement as Safeshare reads it, with its state on the day. */
export interface Agreement {
  readonly id: string;
  readonly reference: string;
  readonly organisationId: string;
  readonly title: string;
  readonly partnerOrganisationIds: readonly string[];
  readonly purposeIds: readonly string[];
  readonly categories: readonly AgreementCategory[];
  readonly methods: readonly ChannelMethodId[];
  readonly ownBasis: AgreementBasis;
  /** Each partner's lawful basis, as the agreement states it. */
  readonly partnerBasis: string;
  readonly retention: string;
  readonly riskOfSharing: string;
  readonly riskOfNotSharing: string;
  readonly startsOn: string;
  readonly reviewOn: string;
  readonly endsOn: string;
  readonly endedOn: string | null;
  readonly endedReason: string | null;
  readonly state: AgreementState;
  readonly hasSignedCopy: boolean;
}

/** What the IG lead enters for a new agreement. */
export interface NewAgreement {
  readonly title: string;
  readonly partnerOrganisationIds: readonly string[];
  readonly purposeIds: readonly string[];
  readonly categories: readonly AgreementCategory[];
  readonly methods: readonly string[];
  readonly ownBasis: { article6: string; article9?: string; schedule1?: string; criminalOffence?: string };
  readonly partnerBasis: string;
  readonly retention: string;
  readonly riskOfSharing: string;
  readonly riskOfNotSharing: string;
  readonly startsOn: string;
  readonly reviewOn: string;
  readonly endsOn: string;
}

export interface NewDpia {
  readonly title: string;
  readonly agreementId?: string | undefined;
  readonly screening: 'not-needed' | 'needed';
  readonly screeningReason: string;
  readonly highRisk: boolean;
  readonly icoConsulted?: boolean | undefined;
  readonly outcome?: string | undefined;
  readonly completedOn?: string | undefined;
  readonly reviewOn: string;
}

export interface Dpia {
  readonly id: string;
  readonly reference: string;
  readonly title: string;
  readonly agreementId: string | null;
  readonly agreementReference: string | null;
  readonly screening: 'not-needed' | 'needed';
  readonly screeningReason: string;
  readonly highRisk: boolean;
  readonly icoConsulted: boolean | null;
  readonly outcome: string | null;
  readonly completedOn: string | null;
  readonly reviewOn: string;
  readonly reviewOverdue: boolean;
}

export function stateOn(
  row: Pick<store.AgreementRow, 'starts_on' | 'review_on' | 'ends_on' | 'ended_on'>,
  on: string,
): AgreementState {
  if (on > row.ends_on || (row.ended_on !== null && row.ended_on <= on)) return 'expired';
  if (on < row.starts_on) return 'not-started';
  return on > row.review_on ? 'review-overdue' : 'in-force';
}

function isMethod(value: string): value is ChannelMethodId {
  return (channelMethodIds as readonly string[]).includes(value);
}

/**
 * The register of information sharing agreements and DPIAs (the ICO data sharing code: regular
 * sharing rests on an agreement). The information governance lead (or the DPO) records an agreement
 * whose every option is checked against the policy pack: parties, purposes, categories with their
 * relevance, methods, each party's lawful basis, retention, the risks assessed and its dates. An
 * agreement past its review date is flagged but still in force; one past its end, or ended early,
 * covers nothing. Everyone in the organisation reads the register.
 */
export function agreementsService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly secretBox: SecretBox;
  readonly orgs: Pick<OrgsService, 'namesOf'>;
  readonly policy: PolicyPack;
}) {
  const { db, clock, audit, policy } = deps;
  const today = () => londonToday(clock.now());

  function toAgreement(row: store.AgreementRow, on: string): Agreement {
    return {
      id: row.id,
      reference: row.reference,
      organisationId: row.organisation_id,
      title: row.title,
      partnerOrganisationIds: row.partner_organisation_ids,
      purposeIds: row.purpose_ids,
      categories: row.categories,
      methods: row.methods.filter(isMethod),
      ownBasis: row.own_basis,
      partnerBasis: row.partner_basis,
      retention: row.retention,
      riskOfSharing: row.risk_of_sharing,
      riskOfNotSharing: row.risk_of_not_sharing,
      startsOn: row.starts_on,
      reviewOn: row.review_on,
      endsOn: row.ends_on,
      endedOn: row.ended_on,
      endedReason: row.ended_reason,
      state: stateOn(row, on),
      hasSignedCopy: row.has_signed_copy,
    };
  }

  /** Every way an agreement can be wrong, named each; none when it may be recorded. */
  async function check(viewer: Viewer, entry: NewAgreement): Promise<Problem[]> {
    const problems: Problem[] = [];
    const add = (field: string, message: string) =>
      problems.push({ field, code: 'AGREEMENT.ENTRY', message });
    const text = (field: string, value: string, rule: Parameters<typeof requiredTextFault>[1]) => {
      const fault = requiredTextFault(value, rule);
      if (fault !== undefined) add(field, fault);
    };
    text('title', entry.title, {
      label: 'the title',
      blank: 'Enter the agreement’s title',
      max: 200,
      shape: singleLine,
    });
    const partners = [...new Set(entry.partnerOrganisationIds)];
    const known = await deps.orgs.namesOf(partners.filter(isUuid));
    if (partners.length === 0) add('partnerOrganisationIds', 'Select the partner organisations');
    else if (partners.some((id) => !known.has(id) || id === viewer.organisationId))
      add('partnerOrganisationIds', 'Select partners from the directory, other than your own organisation');
    if (entry.purposeIds.length === 0) add('purposeIds', 'Select the purposes the agreement covers');
    else if (entry.purposeIds.some((id) => !policy.purposes.some((purpose) => purpose.id === id)))
      add('purposeIds', 'Select purposes from the list');
    const categories = new Map(policy.informationCategories.map((category) => [category.id, category]));
    const sensitive = new Set(
      ['*', ...entry.purposeIds].flatMap(
        (purposeId) => policy.sharing.sensitiveCategoriesByPurpose[purposeId] ?? [],
      ),
    );
    if (entry.categories.length === 0) add('categoryIds', 'Select the information that may be shared');
    for (const item of entry.categories) {
      const category = categories.get(item.categoryId);
      if (category === undefined) {
        add('categoryIds', 'Select information from the list');
        continue;
      }
      text(`relevance-${item.categoryId}`, item.relevance, {
        label: `how “${category.label}” is relevant`,
        blank: `Say how “${category.label}” is relevant to the purposes`,
        max: 1000,
      });
      if (sensitive.has(item.categoryId))
        text(`sensitive-${item.categoryId}`, item.sensitiveReason ?? '', {
          label: `why “${category.label}” is needed`,
          blank: `Say why “${category.label}” is needed: it is sensitive for these purposes`,
          max: 1000,
        });
    }
    if (entry.methods.length === 0 || entry.methods.some((method) => !isMethod(method)))
      add('methods', 'Select how the information may be sent');
    const bases = policy.sharing.lawfulBases;
    const option = (list: readonly { id: string }[], value: string | undefined) =>
      value !== undefined && list.some((item) => item.id === value);
    const special = entry.categories.some((item) => categories.get(item.categoryId)?.special === true);
    const criminal = entry.categories.some((item) => categories.get(item.categoryId)?.criminal === true);
    const basis = entry.ownBasis;
    if (!option(bases.article6, basis.article6))
      add('article6', 'Select your organisation’s Article 6 basis');
    if ((special || basis.article9 !== undefined) && !option(bases.article9, basis.article9))
      add('article9', 'Select the Article 9 condition: special category information may be shared');
    if ((special || basis.schedule1 !== undefined) && !option(bases.schedule1, basis.schedule1))
      add('schedule1', 'Select the Data Protection Act 2018 Schedule 1 condition');
    if (
      (criminal || basis.criminalOffence !== undefined) &&
      !option(bases.criminalOffence, basis.criminalOffence)
    )
      add('criminalOffence', 'Select the condition for criminal offence information');
    text('partnerBasis', entry.partnerBasis, {
      label: 'the partners’ lawful basis',
      blank: 'Enter each partner’s lawful basis, as the agreement states it',
      max: 2000,
    });
    text('retention', entry.retention, {
      label: 'retention',
      blank: 'Say how long the recipients keep it',
      max: 1000,
    });
    text('riskOfSharing', entry.riskOfSharing, {
      label: 'the risk of sharing',
      blank: 'Describe the risk of sharing that the agreement assessed',
      max: 4000,
    });
    text('riskOfNotSharing', entry.riskOfNotSharing, {
      label: 'the risk of not sharing',
      blank: 'Describe the risk of not sharing that the agreement assessed',
      max: 4000,
    });
    const dates: ['startsOn' | 'reviewOn' | 'endsOn', string][] = [
      ['startsOn', 'when it starts'],
      ['reviewOn', 'when it must be reviewed'],
      ['endsOn', 'when it ends'],
    ];
    const real = dates
      .map(([field, words]) => {
        const value = entry[field];
        if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return true;
        add(field, value === '' ? `Enter ${words}` : `The date ${words} must be a real date, like 1 9 2026`);
        return false;
      })
      .every(Boolean);
    if (real && entry.reviewOn < entry.startsOn)
      add('reviewOn', 'The review date must be on or after the start');
    if (real && entry.endsOn < entry.reviewOn)
      add('endsOn', 'The end date must be on or after the review date');
    return problems;
  }

  async function open(viewer: Viewer, id: string) {
    const row = isUuid(id) ? await store.findAgreement(db, viewer.organisationId, id) : undefined;
    if (row === undefined) throw new NotFoundError('no such agreement');
    return row;
  }

  return {
    async list(viewer: Viewer): Promise<Agreement[]> {
      const on = today();
      return (await store.agreementsOf(db, viewer.organisationId)).map((row) => toAgreement(row, on));
    },

    async find(viewer: Viewer, id: string): Promise<Agreement> {
      return toAgreement(await open(viewer, id), today());
    },

    /** The organisation's agreements in force today that name this partner and purpose (review overdue included, flagged). */
    async covering(
      organisationId: string,
      share: { readonly recipientOrganisationId: string; readonly purposeId: string },
    ): Promise<Agreement[]> {
      const on = today();
      return (await store.agreementsCovering(db, organisationId, { ...share, on })).map((row) =>
        toAgreement(row, on),
      );
    },

    async create(viewer: Viewer, entry: NewAgreement): Promise<string> {
      const problems = await check(viewer, entry);
      if (problems.length > 0) throw new RuleError(problems);
      return db.transaction().execute(async (trx) => {
        const basis = entry.ownBasis;
        const ownBasis: AgreementBasis = {
          article6: basis.article6,
          ...(basis.article9 === undefined ? {} : { article9: basis.article9 }),
          ...(basis.schedule1 === undefined ? {} : { schedule1: basis.schedule1 }),
          ...(basis.criminalOffence === undefined ? {} : { criminalOffence: basis.criminalOffence }),
        };
        const categories = entry.categories.map((item) => ({
          categoryId: item.categoryId,
          relevance: item.relevance.trim(),
          ...(item.sensitiveReason === undefined || item.sensitiveReason.trim() === ''
            ? {}
            : { sensitiveReason: item.sensitiveReason.trim() }),
        }));
        const row = await store.insertAgreement(trx, {
          organisation_id: viewer.organisationId,
          title: entry.title.trim(),
          partner_organisation_ids: [...new Set(entry.partnerOrganisationIds)],
          purpose_ids: [...new Set(entry.purposeIds)],
          categories: JSON.stringify(categories),
          methods: [...new Set(entry.methods)],
          own_basis: JSON.stringify(ownBasis),
          partner_basis: entry.partnerBasis.trim(),
          retention: entry.retention.trim(),
          risk_of_sharing: entry.riskOfSharing.trim(),
          risk_of_not_sharing: entry.riskOfNotSharing.trim(),
          starts_on: entry.startsOn,
          review_on: entry.reviewOn,
          ends_on: entry.endsOn,
          created_by: viewer.userId,
          created_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'agreement.recorded',
          entity: { type: 'sharing_agreement', id: row.id },
          change: {
            reference: row.reference,
            title: entry.title.trim(),
            partnerOrganisationIds: [...new Set(entry.partnerOrganisationIds)],
            purposeIds: [...entry.purposeIds],
            categoryIds: categories.map((item) => item.categoryId),
            methods: [...entry.methods],
            startsOn: entry.startsOn,
            reviewOn: entry.reviewOn,
            endsOn: entry.endsOn,
          },
        });
        return row.id;
      });
    },

    /** Ends an agreement early, with the reason: from today it covers nothing. */
    async end(viewer: Viewer, id: string, reason: string): Promise<void> {
      const fault = requiredTextFault(reason, {
        label: 'the reason',
        blank: 'Say why the agreement is ending',
        max: 1000,
      });
      if (fault !== undefined) throw RuleError.of('reason', 'AGREEMENT.END', fault);
      await db.transaction().execute(async (trx) => {
        const row = isUuid(id)
          ? await store.findAgreement(trx, viewer.organisationId, id, { forUpdate: true })
          : undefined;
        if (row === undefined) throw new NotFoundError('no such agreement');
        if (stateOn(row, today()) === 'expired')
          throw RuleError.of('reason', 'AGREEMENT.ENDED', 'This agreement has already ended');
        await store.endAgreement(trx, row.id, {
          ended_on: today(),
          ended_reason: reason.trim(),
          ended_by: viewer.userId,
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'agreement.ended',
          entity: { type: 'sharing_agreement', id: row.id },
          change: { reason: reason.trim() },
        });
      });
    },

    /** Stores the signed copy, checked and sealed like consent evidence, with its audit event. */
    async uploadSignedCopy(viewer: Viewer, id: string, file: EvidenceFile | undefined): Promise<void> {
      const row = await open(viewer, id);
      const { contentType, file: checked } = await checkEvidenceFile(file);
      const fileName = sanitiseFileName(checked.fileName);
      const digest = sha256Hex(checked.bytes);
      const sealed = sealBytes(deps.secretBox, checked.bytes);
      await db.transaction().execute(async (trx) => {
        const document = await store.insertDocument(trx, {
          organisation_id: viewer.organisationId,
          agreement_id: row.id,
          file_name: fileName,
          content_type: contentType,
          size_bytes: checked.bytes.length,
          sha256: digest,
          ciphertext: sealed.ciphertext,
          iv: sealed.iv,
          auth_tag: sealed.authTag,
          wrapped_key: sealed.wrappedKey,
          uploaded_by: viewer.userId,
          uploaded_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'agreement.signed_copy_uploaded',
          entity: { type: 'sharing_agreement', id: row.id },
          change: {
            documentId: document.id,
            fileName,
            contentType,
            sizeBytes: checked.bytes.length,
            sha256: digest,
          },
        });
      });
    },

    /** The latest signed copy, opened and checked against its digest; each download is audited. */
    async signedCopy(viewer: Viewer, id: string) {
      const row = await open(viewer, id);
      const document = await store.latestDocument(db, row.id);
      if (document === undefined) throw new NotFoundError('no signed copy');
      const bytes = openBytes(deps.secretBox, {
        ciphertext: document.ciphertext,
        iv: document.iv,
        authTag: document.auth_tag,
        wrappedKey: document.wrapped_key,
      });
      if (sha256Hex(bytes) !== document.sha256) throw new Error('a signed copy does not match its digest');
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'agreement.signed_copy_downloaded',
          entity: { type: 'sharing_agreement', id: row.id },
          change: { documentId: document.id },
        }),
      );
      return {
        bytes,
        contentType: document.content_type,
        extension: evidenceExtensions[document.content_type],
        reference: row.reference,
      };
    },

    async dpias(viewer: Viewer): Promise<Dpia[]> {
      const on = today();
      return (await store.dpiasOf(db, viewer.organisationId)).map((row) => ({
        id: row.id,
        reference: row.reference,
        title: row.title,
        agreementId: row.agreement_id,
        agreementReference: row.agreement_reference,
        screening: row.screening,
        screeningReason: row.screening_reason,
        highRisk: row.high_risk,
        icoConsulted: row.ico_consulted,
        outcome: row.outcome,
        completedOn: row.completed_on,
        reviewOn: row.review_on,
        reviewOverdue: row.review_on < on,
      }));
    },

    /** Records a DPIA: its screening (with reasons), whether it is high risk and the ICO was consulted (Art 36), and its review date. */
    async createDpia(viewer: Viewer, entry: NewDpia): Promise<string> {
      const problems: Problem[] = [];
      const add = (field: string, message: string) => problems.push({ field, code: 'DPIA.ENTRY', message });
      const title = requiredTextFault(entry.title, {
        label: 'the title',
        blank: 'Enter the DPIA’s title',
        max: 200,
        shape: singleLine,
      });
      if (title !== undefined) add('title', title);
      const reason = requiredTextFault(entry.screeningReason, {
        label: 'the screening',
        blank: 'Say what the screening found',
        max: 2000,
      });
      if (reason !== undefined) add('screeningReason', reason);
      if (entry.highRisk && entry.screening !== 'needed')
        add('highRisk', 'A high-risk processing needs a DPIA: choose that one is needed');
      if (entry.highRisk && entry.icoConsulted === undefined)
        add('icoConsulted', 'Say whether the ICO was consulted (UK GDPR Article 36)');
      if (
        entry.agreementId !== undefined &&
        !(
          isUuid(entry.agreementId) &&
          (await store.findAgreement(db, viewer.organisationId, entry.agreementId)) !== undefined
        )
      )
        add('agreementId', 'Select one of your organisation’s agreements');
      if (problems.length > 0) throw new RuleError(problems);
      return db.transaction().execute(async (trx) => {
        const row = await store.insertDpia(trx, {
          organisation_id: viewer.organisationId,
          title: entry.title.trim(),
          agreement_id: entry.agreementId ?? null,
          screening: entry.screening,
          screening_reason: entry.screeningReason.trim(),
          high_risk: entry.highRisk,
          ico_consulted: entry.highRisk ? (entry.icoConsulted ?? false) : null,
          outcome: entry.outcome?.trim() === '' ? null : (entry.outcome?.trim() ?? null),
          completed_on: entry.completedOn ?? null,
          review_on: entry.reviewOn,
          created_by: viewer.userId,
          created_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'dpia.recorded',
          entity: { type: 'dpia', id: row.id },
          change: {
            reference: row.reference,
            screening: entry.screening,
            highRisk: entry.highRisk,
            reviewOn: entry.reviewOn,
            ...(entry.agreementId === undefined ? {} : { agreementId: entry.agreementId }),
          },
        });
        return row.id;
      });
    },
  };
}

export type AgreementsService = ReturnType<typeof agreementsService>;
