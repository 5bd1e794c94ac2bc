export { auditService, systemActor, trailPageSize } from './audit.service.ts';
export type { AuditActor, AuditEvent, AuditService, FilterChoices, Problem, TrailCursor, TrailEvent, TrailFilter, TrailPage, VerificationResult } from './audit.service.ts';
export type { ChangeLine } from './audit.change.ts';
