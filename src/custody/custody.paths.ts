/** Typed URL builders for the off-site log: ids only, never personal data. */
export const custodyPaths = {
  list: () => '/off-site',
  log: () => '/off-site/new',
  item: (id: string) => `/off-site/${id}`,
  decide: (id: string) => `/off-site/${id}/decision`,
  returned: (id: string) => `/off-site/${id}/returned`,
  mediaList: () => '/media',
  mediaRegister: () => '/media/new',
  media: (id: string) => `/media/${id}`,
  mediaDisposed: (id: string) => `/media/${id}/disposal`,
};
