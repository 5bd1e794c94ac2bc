import type { Migration } from 'kysely';
import * as foundation from './2026-11-30T0600_foundation.ts';
import * as people from './2026-11-30T0700_people.ts';
import * as notifications from './2026-11-30T0710_notifications.ts';
import * as consent from './2026-11-30T0720_consent.ts';
import * as peopleSearch from './2026-11-30T0730_people_search.ts';
import * as apiTokens from './2026-11-30T0740_api_tokens.ts';
import * as mailOutboxByOrganisation from './2026-11-30T0750_mail_outbox_by_organisation.ts';
import * as consentEvidence from './2026-11-30T0800_consent_evidence.ts';
import * as sharingDecisions from './2026-11-30T0900_sharing_decisions.ts';
import * as disclosures from './2026-11-30T0910_disclosures.ts';
import * as staffTraining from './2026-11-30T0920_staff_training.ts';
import * as platformOperator from './2026-12-03T0800_platform_operator.ts';
import * as signInThrottleAndOwnPassword from './2026-12-03T0810_sign_in_throttle_and_own_password.ts';
import * as consentWithdrawalAftermath from './2026-12-03T1120_consent_withdrawal_aftermath.ts';
import * as incidents from './2026-12-03T2350_incidents.ts';
import * as sharedDomainMailboxes from './2026-12-04T0400_shared_domain_mailboxes.ts';
import * as emergencyShares from './2026-12-04T0420_emergency_shares.ts';
import * as exchangeObjects from './2026-12-04T0500_exchange_objects.ts';
import * as exchangePackages from './2026-12-04T0530_exchange_packages.ts';
import * as exchangeRecipients from './2026-12-04T0600_exchange_recipients.ts';
import * as auditEntityIndex from './2026-12-04T0610_audit_entity_index.ts';
import * as exchangeReplies from './2026-12-04T0700_exchange_replies.ts';
import * as custody from './2026-12-04T0800_custody.ts';
import * as incidentActions from './2026-12-04T0810_incident_actions.ts';
import * as incidentTelling from './2026-12-04T0820_incident_telling.ts';
import * as mediaRegister from './2026-12-04T0830_media_register.ts';
import * as incidentMisdirected from './2026-12-04T0840_incident_misdirected.ts';
import * as containmentOfficersHandOver from './2026-12-04T0900_containment_officers_hand_over.ts';
import * as sharingAgreements from './2026-12-04T0910_sharing_agreements.ts';
import * as decisionAgreements from './2026-12-04T0920_decision_agreements.ts';
import * as auditCheckpoints from './2026-12-04T1010_audit_checkpoints.ts';
import * as subjectAccess from './2026-12-04T1100_subject_access.ts';
import * as oversightIndexes from './2026-12-04T1120_oversight_indexes.ts';
import * as decisionDiscarded from './2026-12-04T1140_decision_discarded.ts';
import * as retention from './2026-12-04T1150_retention.ts';
import * as apiTokenScopes from './2026-12-04T1200_api_token_scopes.ts';
import * as apiIdempotencyKeys from './2026-12-04T1210_api_idempotency_keys.ts';
import * as apiScopesConsentAndAudit from './2026-12-04T1220_api_scopes_consent_and_audit.ts';
import * as organisationSso from './2026-12-04T1230_organisation_sso.ts';
import * as disposals from './2026-12-04T1250_disposals.ts';
import * as disposalReachesSharedRecords from './2026-12-04T1300_disposal_reaches_shared_records.ts';
import * as incidentDisposal from './2026-12-04T1310_incident_disposal.ts';
import * as disclosureCountedAtCommit from './2026-12-05T0000_disclosure_counted_at_commit.ts';

/**
 * Every migration, named by the time it was written; they run in name order. A new migration is a
 * new file here, never an edit to one that has shipped.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-30T0600_foundation': foundation,
  '2026-11-30T0700_people': people,
  '2026-11-30T0710_notifications': notifications,
  '2026-11-30T0720_consent': consent,
  '2026-11-30T0730_people_search': peopleSearch,
  '2026-11-30T0740_api_tokens': apiTokens,
  '2026-11-30T0750_mail_outbox_by_organisation': mailOutboxByOrganisation,
  '2026-11-30T0800_consent_evidence': consentEvidence,
  '2026-11-30T0900_sharing_decisions': sharingDecisions,
  '2026-11-30T0910_disclosures': disclosures,
  '2026-11-30T0920_staff_training': staffTraining,
  '2026-12-03T0800_platform_operator': platformOperator,
  '2026-12-03T0810_sign_in_throttle_and_own_password': signInThrottleAndOwnPassword,
  '2026-12-03T1120_consent_withdrawal_aftermath': consentWithdrawalAftermath,
  '2026-12-03T2350_incidents': incidents,
  '2026-12-04T0400_shared_domain_mailboxes': sharedDomainMailboxes,
  '2026-12-04T0420_emergency_shares': emergencyShares,
  '2026-12-04T0500_exchange_objects': exchangeObjects,
  '2026-12-04T0530_exchange_packages': exchangePackages,
  '2026-12-04T0600_exchange_recipients': exchangeRecipients,
  '2026-12-04T0610_audit_entity_index': auditEntityIndex,
  '2026-12-04T0700_exchange_replies': exchangeReplies,
  '2026-12-04T0800_custody': custody,
  '2026-12-04T0810_incident_actions': incidentActions,
  '2026-12-04T0820_incident_telling': incidentTelling,
  '2026-12-04T0830_media_register': mediaRegister,
  '2026-12-04T0840_incident_misdirected': incidentMisdirected,
  '2026-12-04T0900_containment_officers_hand_over': containmentOfficersHandOver,
  '2026-12-04T0910_sharing_agreements': sharingAgreements,
  '2026-12-04T0920_decision_agreements': decisionAgreements,
  '2026-12-04T1010_audit_checkpoints': auditCheckpoints,
  '2026-12-04T1100_subject_access': subjectAccess,
  '2026-12-04T1120_oversight_indexes': oversightIndexes,
  '2026-12-04T1140_decision_discarded': decisionDiscarded,
  '2026-12-04T1150_retention': retention,
  '2026-12-04T1200_api_token_scopes': apiTokenScopes,
  '2026-12-04T1210_api_idempotency_keys': apiIdempotencyKeys,
  '2026-12-04T1220_api_scopes_consent_and_audit': apiScopesConsentAndAudit,
  '2026-12-04T1230_organisation_sso': organisationSso,
  '2026-12-04T1250_disposals': disposals,
  '2026-12-04T1300_disposal_reaches_shared_records': disposalReachesSharedRecords,
  '2026-12-04T1310_incident_disposal': incidentDisposal,
  '2026-12-05T0000_disclosure_counted_at_commit': disclosureCountedAtCommit,
};
