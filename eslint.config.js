import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * The layers and what each may import (docs/architecture.md). `value`: at run time; `type`: only
 * with `import type` / `export type`. A layer may always import its own files. Anything not listed
 * is an error. scripts/dev/import-direction.ts measures the same table.
 */
const FOLDERS = ['infra', 'models', 'workflows', 'activities', 'bots', 'scripts', 'test', 'bench'];
/** The modules both sides of Temporal share (workflow type, signals, queries and their types). */
const CONTRACT = ['workflows/contract.ts', 'workflows/types.ts', 'workflows/search-attribute-keys.ts'];
const LAYER = {
  ...Object.fromEntries(FOLDERS.map((f) => [f, { element: { type: f } }])),
  contract: { file: { path: CONTRACT } },
  'temporal-config': { file: { path: 'temporal.config.ts' } },
};
LAYER.test = [LAYER.test, { file: { path: 'vitest.config.ts' } }];
const ALL = Object.keys(LAYER);
const ALLOWED = {
  infra: {},
  models: { value: ['infra'] },
  workflows: { value: ['contract'], type: ['activities', 'infra'] },
  'temporal-config': { value: ['contract', 'infra'] },
  activities: { value: ['models', 'infra', 'temporal-config'], type: ['contract'] },
  bots: { value: ['contract', 'infra', 'models', 'temporal-config'] },
  scripts: { value: ALL.filter((t) => t !== 'test' && t !== 'bench') },
  test: { value: ALL },
  bench: { value: ALL },
  // Last: the contract files are in workflows/ but may import no more than infra's types.
  contract: { deny: ['workflows', 'activities', 'infra'], type: ['infra'] },
};
const to = (layers) => layers.flatMap((l) => LAYER[l]);
const policies = Object.entries(ALLOWED).flatMap(([from, { value = [], type = [], deny = [] }]) => [
  ...(deny.length ? [{ from: LAYER[from], disallow: { to: to(deny) } }] : []),
  { from: LAYER[from], allow: { to: to([from, ...value]) } },
  ...(type.length ? [{ from: LAYER[from], allow: { to: to(type), dependency: { kind: 'type' } } }] : []),
]);

export default tseslint.config(
  { ignores: ['node_modules', '.sora', 'dist', 'web'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
  {
    files: ['**/*.cjs'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Import direction: bots → (Temporal client) → workflows → (proxyActivities) → activities → models,
    // with infra/ importable by all and importing none of them.
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': FOLDERS.map((f) => ({ type: f, pattern: f, partialMatch: false })),
      // Root files belong to no folder: known files are checked too, unknown ones would be skipped.
      'boundaries/files': [
        { category: 'temporal-config', pattern: 'temporal.config.ts', partialMatch: false },
        { category: 'test', pattern: 'vitest.config.ts', partialMatch: false },
      ],
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      'boundaries/root-path': root,
      'import/resolver': { [path.join(root, 'scripts/dev/eslint-resolver.cjs')]: {} },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', checkUnknownLocals: true, checkInternals: true, policies }],
      // `import('./x.js').T` type expressions are invisible to dpdm (npm run lint:cycles) and to the rule above.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSImportType > TSLiteralType > Literal[value=/^\\./]',
          message: "use `import type { … } from '…'` at the top, so the dependency is checked",
        },
      ],
    },
  },
  {
    // Configuration is parsed once at start (infra/config, loadConfig) and passed in: nothing else
    // reads the environment. Tests may set up their own.
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    ignores: ['infra/config/**', 'test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          "MemberExpression[object.name='process'][property.name='env']",
          "MemberExpression[object.name='process'][computed=true][property.value='env']",
          "MemberExpression[object.property.name='process'][property.name='env']",
          "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']",
          "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
        ].map((selector) => ({
          selector,
          message:
            'read configuration from the Config passed in (infra/config: loadConfig() at start); only infra/config reads the environment',
        })),
        // (repeated from the import-direction block: a later block's no-restricted-syntax replaces an earlier one's)
        {
          selector: 'TSImportType > TSLiteralType > Literal[value=/^\\./]',
          message: "use `import type { … } from '…'` at the top, so the dependency is checked",
        },
      ],
    },
  },
  {
    // Workflow code must stay deterministic.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'use sleep()/condition() from @temporalio/workflow' }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'use the SDK random (uuid4 / Math.random is replaced only inside the sandbox)' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'mongoose', '../models/*', '../activities/*', '!../activities/index.js'],
              message: 'workflows do no I/O; import activity types only',
            },
          ],
        },
      ],
    },
  },
);
