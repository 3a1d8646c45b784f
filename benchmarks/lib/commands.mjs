// The commands every scenario times: trailscan itself (the real CLI, as a child process) and the three
// baselines — gunzip floor, gunzip + whole-object JSON.parse, and zcat | jq.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CACHE_DIR, BENCH_DIR, CLI_BIN, RULES_DIR } from './paths.mjs'
import { run } from './measure.mjs'

const NODE = process.execPath
const child = (name) => join(BENCH_DIR, 'children', name)

/** Ids of the shipped rule packs (directories of packages/rules/rules). */
export function shippedPacks() {
  return readdirSync(RULES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
}

/**
 * `trailscan scan <corpus>/AWSLogs` with findings to /dev/null and the summary to a temp file, which gives the
 * record/finding counts and the scan's own duration (scan() alone, without process start-up and rule loading).
 * Exit 1 (findings at --fail-on) cannot happen without --fail-on; exit 3 (unreadable records) would be a bug
 * in the generator and fails the run.
 */
export function trailscan(corpus, { rules, extraArgs = [] } = {}) {
  const summaryFile = join(CACHE_DIR, 'tmp', `summary-${process.pid}-${Math.random().toString(36).slice(2)}.json`)
  mkdirSync(join(CACHE_DIR, 'tmp'), { recursive: true })
  const args = [
    CLI_BIN,
    'scan',
    join(corpus.dir, 'AWSLogs'),
    '--summary-json',
    summaryFile,
    '--log-level',
    'warn',
    '--progress=false',
    ...(rules ? ['--rules', ...rules] : []),
    ...extraArgs,
  ]
  return async () => {
    const res = await run(NODE, args)
    const s = JSON.parse(readFileSync(summaryFile, 'utf8'))
    rmSync(summaryFile, { force: true })
    if (s.records.read !== corpus.records) throw new Error(`trailscan read ${s.records.read} records, corpus has ${corpus.records}`)
    return { ...res, findings: s.findings.total, scanSeconds: s.durationMs / 1000, records: s.records.read, errors: s.errors.length }
  }
}

/** The scan's worker threads: BENCH_WORKERS, default 2 (issue #16's target is set at N = 2). */
export const benchWorkers = (env = process.env) => Math.max(1, Number(env.BENCH_WORKERS ?? 2))

/** The name of the gunzip floor with `threads` worker threads ('gunzip floor' alone is one thread). */
export const floorId = (threads) => (threads === 1 ? 'gunzip floor' : `gunzip floor (${threads} threads)`)

export const gunzipFloor =
  (corpus, threads = 1) =>
  async () => {
    const res = await run(NODE, [child('gunzip-floor.mjs'), corpus.dir, String(threads)], { captureStdout: true })
    const out = JSON.parse(res.stdout)
    if (out.rawBytes !== corpus.rawBytes) throw new Error(`gunzip floor inflated ${out.rawBytes} bytes, manifest says ${corpus.rawBytes}`)
    return res
  }

export const parseWhole = (corpus) => async () => {
  const res = await run(NODE, [child('parse-whole.mjs'), corpus.dir], { captureStdout: true })
  return { ...res, records: JSON.parse(res.stdout).records }
}

export const readOnly = (corpus) => async () => {
  const res = await run(NODE, [child('read-records.mjs'), corpus.dir], { captureStdout: true })
  const out = JSON.parse(res.stdout)
  if (out.records !== corpus.records) throw new Error(`readRecords split ${out.records} records, corpus has ${corpus.records}`)
  return { ...res, records: out.records, chars: out.chars }
}

/**
 * The same read with the unsafe anchor split of dcacfa4 (benchmark-only, `lib/anchor-split.mjs`). It must give the
 * engine's records byte for byte on the generated corpora (same count, same total length), or the comparison is void.
 */
export const readAnchor = (corpus) => async () => {
  const res = await run(NODE, [child('read-anchor.mjs'), corpus.dir], { captureStdout: true })
  const out = JSON.parse(res.stdout)
  if (out.records !== corpus.records) throw new Error(`the anchor split gave ${out.records} records, corpus has ${corpus.records}`)
  return { ...res, records: out.records, chars: out.chars }
}

/**
 * jq with the same selection as CIS 4.8 (S3 bucket policy/ACL/CORS/lifecycle/replication changes on
 * s3.amazonaws.com) plus the public-bucket ACL rules (public-s3-acl-cli: canned x-amz-acl or x-amz-grant-*
 * headers naming AllUsers/AuthenticatedUsers; public-s3-acl-console: the XML body's Grant list). One output
 * per (rule, record), like two separate rules, so jq cannot short-circuit the second check.
 */
export const JQ_FILTER = `
def public_group: test("acs\\\\.amazonaws\\\\.com/groups/global/(AllUsers|AuthenticatedUsers)");
.Records[]
| select(.eventSource == "s3.amazonaws.com")
| (select(.eventName | IN("PutBucketAcl","PutBucketPolicy","PutBucketCors","PutBucketLifecycle","PutBucketReplication","DeleteBucketPolicy","DeleteBucketCors","DeleteBucketLifecycle","DeleteBucketReplication")) | {rule: "cis-4.8", eventID}),
  (select(.eventName == "PutBucketAcl")
   | select(
       ([.requestParameters["x-amz-acl"]?] | flatten | map(tostring) | any(test("^(public-read|public-read-write|authenticated-read)$")))
       or ([(.requestParameters.accessControlList? // {}) | to_entries[] | select(.key | startswith("x-amz-grant-")) | .value] | flatten | map(tostring) | any(public_group))
       or ([.requestParameters.AccessControlPolicy?.AccessControlList?.Grant?] | flatten | map(.Grantee?.URI? // "" | tostring) | any(public_group)))
   | {rule: "public-s3-acl", eventID})
`

export function hasJq() {
  return existsSync('/usr/bin/jq') || existsSync('/usr/local/bin/jq')
}

export const zcatJq = (corpus) => {
  // The object list goes through xargs (NUL-separated), in listing order; zcat's output is one stream of
  // {"Records":[…]} documents, which jq reads one after another.
  const list = join(CACHE_DIR, 'tmp', `files-${corpus.shape}-${corpus.objects}.lst`)
  mkdirSync(join(CACHE_DIR, 'tmp'), { recursive: true })
  writeFileSync(list, corpus.files.join('\0'))
  const filterFile = join(CACHE_DIR, 'tmp', 'cis48-public-acl.jq')
  writeFileSync(filterFile, JQ_FILTER)
  return async () => {
    const res = await run('bash', ['-c', `set -o pipefail; xargs -0 -a '${list}' gzip -dc -- | jq -c -f '${filterFile}' | wc -l`], {
      captureStdout: true,
      cwd: corpus.dir,
    })
    return { ...res, matches: Number(res.stdout.trim()) }
  }
}

/**
 * The baselines for one corpus, as interleavable variants: the gunzip floor with `threads` worker threads (as many
 * as the scan's --workers) and, when that is more than one, the single-thread floor too.
 */
export function baselineVariants(corpus, { jq = hasJq(), parse = true, threads = 1 } = {}) {
  const v = [{ id: floorId(threads), run: gunzipFloor(corpus, threads) }]
  if (threads > 1) v.push({ id: floorId(1), run: gunzipFloor(corpus, 1) })
  if (parse) v.push({ id: 'gunzip + JSON.parse', run: parseWhole(corpus) })
  if (jq) v.push({ id: 'zcat | jq', run: zcatJq(corpus) })
  return v
}
