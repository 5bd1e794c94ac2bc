import { auditService } from './audit/index.ts';
import { authService, staffService, type AuthService } from './auth/index.ts';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Clock } from './lib/clock.ts';
import type { SecretBox } from './lib/secret-box.ts';
import { notificationsService } from './notifications/index.ts';
import { orgsService } from './orgs/index.ts';

export interface Dependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly secretBox: SecretBox;
  readonly config: Config;
}

/** Every capability's service, wired once. Tests build the same container over a fresh database. */
export function services(deps: Dependencies) {
  const audit = auditService({ db: deps.db, clock: deps.clock });
  const auth: AuthService = authService({
    db: deps.db,
    clock: deps.clock,
    audit,
    secretBox: deps.secretBox,
    settings: {
      sessionIdleMs: deps.config.sessionIdleMs,
      sessionAbsoluteMs: deps.config.sessionAbsoluteMs,
      mfaRequired: deps.config.mfaRequired,
      serviceName: deps.config.serviceName,
    },
  });
  return {
    audit,
    auth,
    staff: staffService({ db: deps.db, clock: deps.clock, audit }),
    orgs: orgsService({ db: deps.db, clock: deps.clock, audit }),
    notifications: notificationsService({ db: deps.db, clock: deps.clock, baseUrl: deps.config.publicUrl }),
  };
}

export type Services = ReturnType<typeof services>;
