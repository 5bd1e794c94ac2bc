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
  // Nunjucks' own `trim` is a regular expression (/^\s*|\s*$/g) that retries at every position of a
  // run of spaces: on the GOV.UK header's markup it took a twentieth of a signed-in page's CPU.
  // String.prototype.trim removes the same characters (ECMAScript's \s is its whitespace set).
  environment.addFilter('trim', (value: unknown) => {
    const { SafeString } = nunjucks.runtime;
    if (value instanceof SafeString) return new SafeString(value.toString().trim());
    // Nunjucks passes text or a SafeString; anything else (a missing variable) trims to nothing.
    return typeof value === 'string' ? value.trim() : '';
  });
  environment.addFilter('roleName', (value: string) => (isRole(value) ? roleNames[value] : value));
  // The layout passes each page's content through it (src/web/tables.ts).
  environment.addFilter(
    'scrollableTables',
    (content: unknown) => new nunjucks.runtime.SafeString(scrollableTables(String(content))),
  );
  return environment;
}
