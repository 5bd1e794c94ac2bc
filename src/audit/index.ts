export { auditService, systemActor } from './audit.service.ts';
export { auditTrailService } from './audit.trail.service.ts';
export type { AuditTrailService } from './audit.trail.service.ts';
export type {
  AuditActor,
  AuditEvent,
  AuditService,
  ChainFinding,
  TrustedCheckpoint,
  VerificationResult,
} from './audit.service.ts';
export { CheckpointError, checkpointsService } from './audit.checkpoints.service.ts';
export { checkpointLine, exportedSizes, readCheckpointFile } from './audit.checkpoint-file.ts';
export { loadCheckpointSigner, SigningKeyError, trustedKey, trustedKeyOf } from './audit.signing.ts';
export type { TrustedKey } from './audit.signing.ts';
