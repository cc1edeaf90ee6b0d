// Lint, run by `npm test` (npm run check, which hands these blocks the TypeScript programs it has
// already built for type checking; editors and `eslint --fix` build them from the tsconfigs named
// here). Sources get typescript-eslint's type-checked rules; tests and benches the untyped ones,
// since they inspect JSON from the wire as `any` on purpose.
import tseslint from 'typescript-eslint';

const unused = ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }];

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'coverage/', 'deploy/', 'scripts/', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['src/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    // Async methods that implement an async contract need not await anything themselves.
    rules: { '@typescript-eslint/no-unused-vars': unused, '@typescript-eslint/require-await': 'off' },
  },
  {
    // The dashboard page (a browser bundle): the same rules, typed with the DOM.
    files: ['ui/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: './tsconfig.browser.json', tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-unused-vars': unused },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts'],
    extends: [...tseslint.configs.recommended],
    rules: { '@typescript-eslint/no-unused-vars': unused, '@typescript-eslint/no-explicit-any': 'off' },
  },
);
