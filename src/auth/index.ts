export { authService, actorOf } from './auth.service.ts';
export type { AuthService, SessionState, Viewer } from './auth.service.ts';
export { signInStepPaths } from './auth.paths.ts';
export type { PendingStage } from '../lib/viewer.ts';
export { staffService } from './staff.service.ts';
export { ApiTokenNotFoundError, StaffNotFoundError, StaffRuleError } from './staff.errors.ts';
export { administratorOf, confinedTo, holdsRole, NotPermittedError } from './staff.authority.ts';
export type { Administrator, Authority } from './staff.authority.ts';
export { apiTokensService } from './api-tokens.service.ts';
export type { ApiToken, ApiTokensService } from './api-tokens.service.ts';
export type {
  NewStaff,
  OwnTraining,
  StaffDetails,
  StaffMember,
  StaffService,
  TeamMember,
} from './staff.service.ts';
export { needsTraining, trainingStateTags, trainingStatus } from './training.ts';
export type { TrainingState, TrainingStatus } from './training.ts';
export { roles, roleNames, isRole } from '../lib/roles.ts';
export { newTotpSecret, currentCode } from './totp.ts';
export type { Role } from '../lib/roles.ts';
