import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one request has done so far, collected while it runs: the audit actions written on its
 * behalf. The web shell opens one per request, and checks it against what the route declares.
 */
export interface RequestRecord {
  readonly auditActions: Set<string>;
  /** Whether the route's handler was reached (not a request refused, or redirected, before it). */
  handlerReached: boolean;
  /** The handler answered without doing what its route records (see `nothingToAudit`). */
  nothingToAudit: boolean;
}

const storage = new AsyncLocalStorage<RequestRecord>();

export function newRequestRecord(): RequestRecord {
  return { auditActions: new Set(), handlerReached: false, nothingToAudit: false };
}

/** Runs `work` (and everything it starts) as part of the request whose record this is. */
export function runInRequest<T>(record: RequestRecord, work: () => T): T {
  return storage.run(record, work);
}

/**
 * Notes that an audit action was written for the request now running, if any (jobs and the
 * command line run outside a request, and are not collected).
 */
export function noteAuditAction(action: string): void {
  storage.getStore()?.auditActions.add(action);
}

/**
 * Says that the request now running did nothing its route records, though it answers below 400: for
 * example a sign-in step that sends the browser on to the step it is really at. Without it, such an
 * answer counts as a success that lost its audit event.
 */
export function nothingToAudit(): void {
  const record = storage.getStore();
  if (record !== undefined) record.nothingToAudit = true;
}
