import type { TrailFilter } from './audit.service.ts';

/** Typed addresses of the audit pages: ids, sequence numbers and dates only, never personal data. */
export const auditPaths = {
  trail: '/audit',
  verify: '/audit/verify',
  /** The filtered trail as CSV (the same query as the trail page). */
  export: '/audit/export',
  event: (seq: number) => `/audit/events/${String(seq)}`,
} as const;

export type FilterField = 'person' | 'user' | 'action' | 'from' | 'to';

/** The query string of a filter, less the fields named, with an optional paging cursor. */
export function trailHref(
  filter: TrailFilter,
  options: {
    readonly without?: readonly FilterField[];
    readonly before?: number;
    readonly after?: number;
  } = {},
): string {
  const without = new Set(options.without ?? []);
  const query = new URLSearchParams();
  if (filter.personId !== null && !without.has('person')) query.set('person', filter.personId);
  if (filter.actorUserId !== null && !without.has('user')) query.set('user', filter.actorUserId);
  if (filter.action !== null && !without.has('action')) query.set('action', filter.action);
  for (const [name, date] of [
    ['from', filter.from],
    ['to', filter.to],
  ] as const) {
    if (date === null || without.has(name)) continue;
    const [year = '', month = '', day = ''] = date.split('-');
    query.set(`${name}-day`, String(Number(day)));
    query.set(`${name}-month`, String(Number(month)));
    query.set(`${name}-year`, year);
  }
  if (options.before !== undefined) query.set('before', String(options.before));
  if (options.after !== undefined) query.set('after', String(options.after));
  const search = query.toString();
  return search === '' ? auditPaths.trail : `${auditPaths.trail}?${search}`;
}
