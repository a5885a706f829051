import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/dist-console/**', '**/node_modules/**', 'data/**', 'bench/results*.json', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  { files: ['web-panel/src/**'], languageOptions: { globals: { ...globals.browser } } },
  // Tests poke at loosely typed JSON responses; `any` is acceptable there, not in src.
  { files: ['**/test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
