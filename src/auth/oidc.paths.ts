/** The addresses of single sign-on's pages (ADR 0028). */
export const oidcPaths = {
  start: '/sign-in/organisation',
  callback: '/sign-in/organisation/callback',
  providerSignOut: (organisationId: string) => `/sign-in/organisation/sign-out/${organisationId}`,
  settings: '/admin/single-sign-on',
} as const;
