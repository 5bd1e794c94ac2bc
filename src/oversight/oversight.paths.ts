/** Typed addresses of the oversight pages: filters are ids and dates, never personal data. */
export const oversightPaths = {
  dashboard: () => '/oversight',
  /** A dashboard table as CSV. */
  table: (table: string) => `/oversight/tables/${table}`,
  decisions: () => '/oversight/decisions',
  disclosures: () => '/oversight/disclosures',
  accessReasons: () => '/oversight/access-reasons',
} as const;
