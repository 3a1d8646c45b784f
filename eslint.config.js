// ESLint: typescript-eslint's type-aware recommended set over the TypeScript (sources, tests, scripts), ESLint's
// recommended set over the JavaScript (benchmarks, fixture generators, build scripts). Layout is Prettier's job
// (`pnpm format`), so no stylistic rule is turned on here. Each rule turned off or tuned below says why.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const unusedVars = {
  // `_`-prefixed names are the project's way of naming a value it drops on purpose (an omitted field in a rest
  // destructuring, an unused callback parameter); a rest sibling is how a field is left out of a copy.
  argsIgnorePattern: '^_',
  varsIgnorePattern: '^_',
  caughtErrorsIgnorePattern: '^_',
  destructuredArrayIgnorePattern: '^_',
  ignoreRestSiblings: true,
}

export default defineConfig(
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  // generated: build output, coverage, the benchmarks' corpus cache
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '**/.cache/**'] },
  js.configs.recommended,
  {
    rules: {
      'no-unused-vars': ['error', unusedVars],
      // Control characters are matched on purpose: terminal-output sanitising (cli/src/output/terminal-text.ts),
      // the YAML reader's plain-scalar test, and the tests that prove no control byte reaches a terminal.
      'no-control-regex': 'off',
      // `catch {}` marks a best-effort step whose failure changes nothing (a benchmark's optional RSS reading).
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
      // `async` without `await` is how a function keeps a Promise-returning contract it implements (LogObject.open,
      // the AWS SDK's RetryStrategyV2) or is an async generator over synchronous data; an un-awaited promise that
      // matters is what no-floating-promises and no-misused-promises (both on) catch.
      '@typescript-eslint/require-await': 'off',
      // The byte-level JSON scanner (engine read/json-scan.ts) names byte classes and states with const enums and
      // reads them back from Uint8Array lookup tables as numbers: number-to-enum comparison is the design there.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // Tests read the CLI's JSON output and records with JSON.parse and assert on the fields they pick; a typed cast
    // before each assertion would add nothing the assertion does not already check.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // The summary's columns are aligned with runs of spaces, and the tests match them as printed.
      'no-regex-spaces': 'off',
    },
  },
  {
    // Rethrows the source's own fault after reading what arrived before it: an `unknown` narrowed to `{}` by its
    // `!== undefined` test, thrown unchanged so the caller sees the error the source raised.
    files: ['packages/engine/src/read/decompress.ts'],
    rules: { '@typescript-eslint/only-throw-error': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // A measured body adds its result into a local sink so the engine cannot drop the work as dead code.
    files: ['benchmarks/children/**/*.mjs'],
    rules: { 'no-unused-vars': ['error', { ...unusedVars, varsIgnorePattern: '^(_|n$)' }] },
  },
)
