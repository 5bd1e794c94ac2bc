export { auditService, systemActor } from './audit.service.ts';
export type {
  AuditActor,
  AuditEvent,
  AuditService,
  ChainFinding,
  VerificationResult,
} from './audit.service.ts';
