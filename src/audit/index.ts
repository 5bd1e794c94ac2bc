export { auditService, systemActor, trailPageSize, verificationFindingLimit } from './audit.service.ts';
export type {
  AuditActor,
  AuditEvent,
  AuditService,
  ChainFinding,
  FilterChoices,
  Problem,
  TrailCursor,
  TrailEvent,
  TrailFilter,
  TrailPage,
  VerificationResult,
} from './audit.service.ts';
export type { ChangeLine } from './audit.change.ts';
