import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** One linter, zero warnings, type-aware rules; the same checks locally and in CI. */
export default defineConfig(
  { ignores: ['node_modules/', 'data/', 'test-results/', 'scratch/', 'src/web/assets/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] },
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
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
      'no-console': 'error',
      // Capabilities talk to each other only through their index.ts (STYLE.md), row types and path modules (leaves that import nothing); the audit trail imports none.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^\\.\\./(auth|orgs|home|demo|people|consent|sharing|channels|disclosures)/(?!index\\.ts$|[a-z-]+\\.table\\.ts$|[a-z-]+\\.paths\\.ts$).*',
              message: 'Import another capability through its index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['*.config.ts', 'eslint.config.js', 'test/support/global-setup.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/cli.ts', 'bin/*.js'],
    rules: { 'no-console': 'off' },
  },
);
