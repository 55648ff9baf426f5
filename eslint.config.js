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
