import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const namedExportsOnly = { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' };
const restrictedSyntax = [
  namedExportsOnly,
  {
    selector:
      'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom)$/]',
    message: 'SQL belongs in a *.repository.ts file.',
  },
];

/** One linter, zero warnings, type-aware rules; the same checks locally and in CI. */
export default defineConfig(
  { ignores: ['node_modules/', 'data/', 'test-results/', 'scratch/', 'src/web/assets/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // tools/verify-audit-proof.mjs stands alone (plain JavaScript, typed by JSDoc): no Safeshare code, no tsconfig.
          allowDefaultProject: ['eslint.config.js', 'bin/*.js', '.dependency-cruiser.cjs', 'tools/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Fastify plugins are async functions by convention, with or without an await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'error',
      'no-restricted-syntax': ['error', ...restrictedSyntax],
      'no-console': 'error',
      // The layers and the capability boundaries are checked by dependency-cruiser (.dependency-cruiser.cjs).
      // SQL lives in repositories: no other module imports kysely's values or builds a query.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kysely', message: 'SQL belongs in a *.repository.ts file.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    // The places that build SQL: repositories, the database layer itself and its migrations.
    files: ['src/**/*.repository.ts', 'src/db/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': ['error', namedExportsOnly] },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      // Tests and benchmarks read the database directly to prove what was written.
      'no-restricted-syntax': ['error', namedExportsOnly],
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['*.config.ts', 'eslint.config.js', 'test/support/global-setup.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  {
    files: ['src/cli/**/*.ts', 'src/cli.ts', 'bin/*.js', 'src/channels/data/build-names.ts'],
    rules: { 'no-console': 'off' },
  },
);
