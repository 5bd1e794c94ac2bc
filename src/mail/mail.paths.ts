/** Every URL of the mail outbox pages, so handlers and templates never spell one out. */
export const outboxPaths = {
  list: '/admin/outbox',
  page: (page: number) => (page <= 1 ? '/admin/outbox' : `/admin/outbox?page=${page}`),
  message: (id: string) => `/admin/outbox/${id}`,
} as const;
