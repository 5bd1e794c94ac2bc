export { custodyService, type CustodyService } from './custody.service.ts';
export { custodyRoutes } from './custody.routes.ts';
export { mediaService, type MediaService } from './custody.media.service.ts';
export { mediaRoutes } from './custody.media.routes.ts';
