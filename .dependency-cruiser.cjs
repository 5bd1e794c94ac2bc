/**
 * The layers of Safeshare, checked on every `npm run lint` (docs/architecture.md draws them).
 *
 * From the bottom: pure code (`lib`, then `policy`, then the pure half of `channels`); the database
 * client and the row types; the page and API framework (`web`, `api`); the capabilities, each of
 * which may import only those below it; and the composition at the top (app, services, jobs, the
 * command line, the demo data). Type-only imports count: a cycle through types is still a cycle.
 */

/** The capabilities, lowest first (../shared/DESIGN.md, "Layout"). Some are still to be built. */
const capabilities = [
  'audit',
  'mail',
  'notifications',
  'auth',
  'orgs',
  'channels',
  'people',
  'consent',
  'agreements',
  'sharing',
  'custody',
  'disclosures',
  'exchange',
  'incidents',
  'subject-access',
  'retention',
  'reports',
  'oversight',
  'home',
];
/** Pure code, lowest first: no I/O, no capability. */
const pure = ['lib', 'policy'];
/** The framework every capability's routes use, and which uses none of them. */
const framework = ['db', 'web', 'api'];
/** Where the parts are put together: nothing below imports them. */
const composition = ['jobs', 'cli', 'demo', 'metrics'];

/** The channels files that are pure method policy (the rest of channels is its service and API). */
const pureChannels =
  '^src/channels/channels[.](address|checklists|errors|methods|policy|schema|subject|subject[.][a-z]+)[.]ts$';
/** Path modules: leaves that any page may import to link to another capability's pages. */
const pathModule = '[.]paths[.]ts$';
/** @param {readonly string[]} names */
const either = (names) => `^src/(${names.join('|')})/`;

const orderRules = capabilities.slice(0, -1).map((name, index) => ({
  name: `layers-${name}`,
  comment: `${name} may import only the capabilities below it: ${capabilities.slice(0, index).join(', ') || 'none'}.`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: either(capabilities.slice(index + 1)), pathNot: pathModule },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle of imports, type-only ones included, ties its modules into one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'known-folders',
      comment:
        'Every folder of src/ has its place in the layers: add a new capability to .dependency-cruiser.cjs and docs/architecture.md.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: [either([...pure, ...framework, ...capabilities, ...composition]), '^src/[^/]+[.]ts$'],
      },
      to: {},
    },
    ...orderRules,
    {
      name: 'capabilities-through-their-barrel',
      comment:
        'Another capability is reached through its index.ts (its public face), its row types or its path module, never its inner files.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: either(capabilities),
        pathNot: ['^src/$1/', '^src/[^/]+/index[.]ts$', '[.]table[.]ts$', pathModule],
      },
    },
    {
      name: 'lib-is-pure',
      comment: 'lib imports only lib and packages.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'policy-is-pure',
      comment: 'The policy pack imports only lib and packages.',
      severity: 'error',
      from: { path: '^src/policy/' },
      to: { path: '^src/', pathNot: '^src/(lib|policy)/' },
    },
    {
      name: 'channels-policy-is-pure',
      comment: 'The method policy is pure: it imports lib, the policy pack and its own pure files only.',
      severity: 'error',
      from: { path: pureChannels },
      to: { path: '^src/', pathNot: ['^src/(lib|policy)/', pureChannels] },
    },
    {
      name: 'db-holds-row-types-only',
      comment: 'db may reach into a capability only for its row types (*.table.ts), never its barrel.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: either(capabilities), pathNot: '[.]table[.]ts$' },
    },
    {
      name: 'row-types-reach-no-capability-face',
      comment:
        'Row types, and the pure domain types they store, reach no barrel, service, repository or route: db can use them without loading a capability.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: {
        path: `${either(capabilities)}(index[.]ts$|.*[.](service|repository|routes|api)[.]ts$|(routes|pages|forms)/)`,
        reachable: true,
      },
    },
    {
      name: 'framework-under-capabilities',
      comment: 'web, api and db are used by the capabilities and never use them (path modules aside).',
      severity: 'error',
      from: { path: either(framework) },
      to: { path: either(capabilities), pathNot: [pathModule, '[.]table[.]ts$'] },
    },
    {
      name: 'framework-under-composition',
      comment: 'Nothing below the composition imports it.',
      severity: 'error',
      from: { path: either([...pure, ...framework, ...capabilities]) },
      to: { path: [either(composition), '^src/[^/]+[.]ts$'] },
    },
    {
      name: 'paths-are-leaves',
      comment: 'A path module imports nothing of another capability, so any page can link through it.',
      severity: 'error',
      from: { path: `^src/([^/]+)/.*${pathModule}` },
      to: { path: '^src/', pathNot: ['^src/lib/', '^src/$1/'] },
    },
    {
      name: 'services-never-import-pages',
      comment: 'Rules and services never import a route, page or API module; routes use services.',
      severity: 'error',
      from: {
        path: '^src/[^/]+/',
        pathNot: [
          '[.](routes|api)[.]ts$',
          '/routes/',
          '/pages/',
          '/forms/',
          '^src/(cli|demo|jobs)/',
          '/index[.]ts$',
        ],
      },
      to: { path: ['[.](routes|api)[.]ts$', '/routes/', '/pages/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['[.]test[.]ts$', '^src/web/assets/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
