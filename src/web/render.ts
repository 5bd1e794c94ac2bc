import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { formatDate, formatDateTime } from '../lib/time.ts';
import { roleNames, isRole } from '../lib/roles.ts';
import { scrollableTables } from './tables.ts';

const sourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const govukDist = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist');
const mojRoot = path.dirname(require.resolve('@ministryofjustice/frontend/package.json'));

/**
 * One Nunjucks environment for the life of the process: templates are compiled once and cached.
 * Templates are named from `src/`, e.g. `auth/views/sign-in.njk`; GOV.UK and MoJ macros resolve from
 * their packages (`govuk/components/...`, `moj/components/...`).
 */
export function createTemplates(options: { readonly watch?: boolean } = {}): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader([sourceRoot, govukDist, mojRoot], {
    noCache: options.watch === true,
    watch: false,
  });
  const environment = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false });
  environment.addFilter('dateTime', (value: Date | string | null | undefined) =>
    value ? formatDateTime(value) : '',
  );
  environment.addFilter('date', (value: Date | string | null | undefined) =>
    value ? formatDate(value) : '',
  );
  environment.addFilter('roleName', (value: string) => (isRole(value) ? roleNames[value] : value));
  // The layout passes each page's content through it (src/web/tables.ts).
  environment.addFilter(
    'scrollableTables',
    (content: unknown) => new nunjucks.runtime.SafeString(scrollableTables(String(content))),
  );
  return environment;
}
