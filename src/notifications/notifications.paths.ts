/** Every URL of the notifications pages, so handlers and templates never spell one out. */
export const notificationPaths = {
  list: '/notifications',
  page: (page: number) => (page <= 1 ? '/notifications' : `/notifications?page=${page}`),
  markRead: (id: string) => `/notifications/${id}/read`,
  markAllRead: '/notifications/read-all',
} as const;
