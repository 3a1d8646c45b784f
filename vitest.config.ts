import { defineConfig } from 'vitest/config'

export default defineConfig({
  ssr: { resolve: { conditions: ['trailscan-source', 'node', 'import', 'default'] } },
  resolve: { conditions: ['trailscan-source', 'node', 'import', 'default'] },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/plain-summary-reporter.ts'],
    // `vitest run --coverage` (the first run in `pnpm test`): line, branch, function and statement figures for the
    // sources, measured in the test workers. The CLI tests run the built CLI in child processes, which V8 coverage
    // here does not follow, so the CLI's figure counts only what its in-process unit tests reach.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary'],
      reportOnFailure: true,
    },
  },
})
