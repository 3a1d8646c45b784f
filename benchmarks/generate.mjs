#!/usr/bin/env node
// Generates the benchmark corpora into benchmarks/.cache/corpus (skips shapes already complete).
//   node generate.mjs [small large single corpus] [--force]
// Sizes: BENCH_SMALL_MB (100), BENCH_LARGE_MB (120), BENCH_SINGLE_MB (1024), BENCH_CORPUS_MB (10240),
// BENCH_SMALL_OBJECT_KB (20), BENCH_LARGE_OBJECT_MB (5), BENCH_SEED (42). Without names: small and large;
// the memory corpora (single, corpus) are generated when the memory scenario first needs them.
import { ensureCorpus } from './lib/corpus.mjs'

const args = process.argv.slice(2)
const force = args.includes('--force')
const names = args.filter((a) => !a.startsWith('--'))
for (const name of names.length ? names : ['small', 'large']) {
  const m = await ensureCorpus(name, { force })
  console.log(
    `${name}: ${m.dir} (${m.objects} objects, ${m.records} records, ${(m.rawBytes / 2 ** 20).toFixed(0)} MB raw, ${(m.gzBytes / 2 ** 20).toFixed(1)} MB gz, mean object ${(m.meanObjectGzBytes / 1024).toFixed(0)} KB gz)`,
  )
  console.log(`  rule-relevant: ${JSON.stringify(m.ruleRelevantCounts)}`)
}
