/** The addresses of the secure exchange's pages, for its own routes and for links from other capabilities. */
export const exchangePaths = {
  package: (id: string) => `/exchange/packages/${id}`,
  requestCode: (id: string) => `/exchange/packages/${id}/code-request`,
  code: (id: string) => `/exchange/packages/${id}/code`,
  file: (id: string, fileId: string) => `/exchange/packages/${id}/files/${fileId}`,
  view: (id: string, fileId: string) => `/exchange/packages/${id}/files/${fileId}/view`,
  page: (id: string, fileId: string, page: number) =>
    `/exchange/packages/${id}/files/${fileId}/pages/${String(page)}`,
  reply: (id: string) => `/exchange/packages/${id}/reply`,
  /** Sending a package from a recorded decision to share. */
  send: (decisionId: string) => `/decisions/${decisionId}/packages/new`,
  received: '/exchange/received',
} as const;
