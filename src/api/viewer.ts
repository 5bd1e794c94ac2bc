import type { FastifyRequest } from 'fastify';
import type { Viewer } from '../lib/viewer.ts';

/** The member of staff behind an API request's bearer token. */
export function apiViewer(request: FastifyRequest): Viewer {
  // The API shell sets the viewer from the bearer token before any handler runs.
  if (request.viewer === undefined) throw new Error('an API route was reached without a token viewer');
  return request.viewer;
}
