import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules', '.sora', 'dist', 'web'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
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
