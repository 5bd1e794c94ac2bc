export { authService, actorOf } from './auth.service.ts';
export type { AuthService, SessionState, Viewer } from './auth.service.ts';
export { staffService, StaffRuleError } from './staff.service.ts';
export { apiTokensService } from './api-tokens.service.ts';
export type { ApiToken, ApiTokensService } from './api-tokens.service.ts';
export type { NewStaff, StaffDetails, StaffMember, StaffService } from './staff.service.ts';
export { roles, roleNames, isRole } from './roles.ts';
export { newTotpSecret, currentCode } from './totp.ts';
export type { Role } from './roles.ts';
