export { auditService, systemActor } from './audit.service.ts';
export type { AuditActor, AuditEvent, AuditService, VerificationResult } from './audit.service.ts';
