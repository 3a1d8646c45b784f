// Where things live. Generated data and results stay in benchmarks/.cache (git-ignored).
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)))
export const REPO_DIR = dirname(BENCH_DIR)
export const CACHE_DIR = process.env.BENCH_CACHE ?? join(BENCH_DIR, '.cache')
export const CLI_BIN = join(REPO_DIR, 'packages/cli/dist/bin.js')
export const RULES_DIR = join(REPO_DIR, 'packages/rules/rules')
