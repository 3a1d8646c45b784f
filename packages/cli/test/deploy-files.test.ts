import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import yargs, { type CommandModule } from 'yargs'
import { describe, expect, it } from 'vitest'
import { SHARD_INDEX_ENV } from '../src/commands/shard-run.js'

// The deployment files in deploy/ run the CLI with flags and environment names of their own: keep them in step
// with the CLI, so a renamed flag fails here rather than in a cluster at 2 a.m.
const deploy = fileURLToPath(new URL('../../../deploy/', import.meta.url))

type Commands = Record<string, CommandModule>
async function cliCommands(): Promise<Commands> {
  const modules = await Promise.all([
    import('../src/commands/scan-command.js'),
    import('../src/commands/plan-command.js'),
    import('../src/commands/merge-command.js'),
  ])
  return Object.fromEntries(modules.map((m) => [String(m.command.command).split(' ')[0], m.command as CommandModule]))
}

function optionNames(c: CommandModule): { all: Set<string>; booleans: Set<string> } {
  const y = (c.builder as (y: ReturnType<typeof yargs>) => ReturnType<typeof yargs>)(yargs([]))
  // yargs keeps its option table behind getOptions(), which its type declarations leave out.
  const o = (y as unknown as { getOptions(): { key: Record<string, unknown>; boolean: string[] } }).getOptions()
  return { all: new Set(Object.keys(o.key)), booleans: new Set(o.boolean) }
}

interface Invocation {
  where: string
  args: string[]
  env: string[]
}

interface Container {
  name: string
  image: string
  args?: string[]
  command?: string[]
  env?: { name: string }[]
}

function podContainers(doc: Record<string, unknown>): Container[] {
  const spec = (doc.kind === 'CronJob' ? (doc.spec as { jobTemplate: { spec: unknown } }).jobTemplate.spec : doc.spec) as {
    template?: { spec?: { containers?: Container[]; initContainers?: Container[] } }
  }
  const pod = spec?.template?.spec
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]
}

/** Kubernetes expands $(VAR) from the container's env; the CronJob puts its run id where the template has a placeholder. */
const k8sValue = (a: string): string => a.replaceAll('$(RUN_ID)', 'run-1').replaceAll('RUN_ID_PLACEHOLDER', 'run-1')

function kubernetesInvocations(): Invocation[] {
  const dir = join(deploy, 'kubernetes')
  const out: Invocation[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml'))
    for (const doc of yaml.loadAll(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>[])
      for (const c of podContainers(doc))
        if (c.image.startsWith('trailscan'))
          out.push({
            where: `${file} ${String(doc.kind)} ${c.name}`,
            args: (c.args ?? []).map(k8sValue),
            env: (c.env ?? []).map((e) => e.name),
          })
  return out
}

function batchInvocations(): Invocation[] {
  const defs = JSON.parse(readFileSync(join(deploy, 'aws-batch', 'job-definitions.json'), 'utf8')) as {
    jobDefinitionName: string
    parameters: Record<string, string>
    containerProperties: { command: string[] }
  }[]
  // Batch substitutes whole elements only: `Ref::name` → the parameter (its default here).
  return defs.map((d) => ({
    where: `job-definitions.json ${d.jobDefinitionName}`,
    args: d.containerProperties.command.map((a) => (a.startsWith('Ref::') ? (d.parameters[a.slice(5)] ?? a) : a)),
    env: [],
  }))
}

function flagsOf(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!)
}

function valueOf(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i < 0 ? undefined : args[i + 1]
}

describe('deploy/', () => {
  const all = (): Invocation[] => [...kubernetesInvocations(), ...batchInvocations()]

  it('runs the CLI in each of the files: plan, the shard scan and merge, on Kubernetes and on AWS Batch', () => {
    const byCommand = (inv: Invocation[]): string[] => [...new Set(inv.map((i) => i.args[0] ?? ''))].sort()
    expect(byCommand(kubernetesInvocations())).toEqual(['merge', 'plan', 'scan'])
    expect(byCommand(batchInvocations())).toEqual(['merge', 'plan', 'scan'])
  })

  it('uses only commands and flags the CLI has', async () => {
    const commands = await cliCommands()
    for (const inv of all()) {
      const c = commands[inv.args[0]!]
      expect(c, `${inv.where}: command ${inv.args[0]}`).toBeDefined()
      const { all: known, booleans } = optionNames(c!)
      for (const flag of flagsOf(inv.args)) {
        const name = flag.startsWith('no-') && booleans.has(flag.slice(3)) ? flag.slice(3) : flag
        expect(known.has(name), `${inv.where}: --${flag} is not an option of \`trailscan ${inv.args[0]}\``).toBe(true)
      }
    }
  })

  it('leaves the shard index to the scheduler, through the environment names the CLI reads', () => {
    expect(SHARD_INDEX_ENV).toEqual(['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'])
    const scans = all().filter((i) => i.args[0] === 'scan')
    expect(scans.length).toBeGreaterThan(0)
    for (const s of scans) {
      expect(flagsOf(s.args), s.where).toContain('plan')
      expect(flagsOf(s.args), `${s.where} must not fix --shard: each pod or container is told its own`).not.toContain('shard')
      expect(
        s.env.some((e) => (SHARD_INDEX_ENV as readonly string[]).includes(e)),
        `${s.where} must not set the index itself`,
      ).toBe(false)
    }
  })

  it('plans as many shards as the Indexed Job completes, and scans and merges the plan it wrote', () => {
    const docs = yaml.loadAll(readFileSync(join(deploy, 'kubernetes', 'indexed-job.yaml'), 'utf8')) as {
      spec: { completionMode: string; completions: number }
    }[]
    const job = docs[0]!
    expect(job.spec.completionMode).toBe('Indexed')
    const k8s = kubernetesInvocations()
    const plan = k8s.find((i) => i.args[0] === 'plan')!
    expect(Number(valueOf(plan.args, '--shards'))).toBe(job.spec.completions)
    const scan = k8s.find((i) => i.args[0] === 'scan')!
    const merge = k8s.find((i) => i.args[0] === 'merge')!
    expect(valueOf(scan.args, '--plan')).toBe(valueOf(plan.args, '--out'))
    expect(valueOf(merge.args, '--plan')).toBe(valueOf(plan.args, '--out'))
    expect(merge.args[1]).toBe(valueOf(scan.args, '--out-dir'))
    const batch = batchInvocations()
    const bPlan = batch.find((i) => i.args[0] === 'plan')!
    const bScan = batch.find((i) => i.args[0] === 'scan')!
    const bMerge = batch.find((i) => i.args[0] === 'merge')!
    expect(valueOf(bScan.args, '--plan')).toBe(valueOf(bPlan.args, '--out'))
    expect(bMerge.args[1]).toBe(valueOf(bScan.args, '--out-dir'))
  })

  it('makes the nightly plan from the scheduled-scan state on S3, and merges into that same state', () => {
    const pairs = [kubernetesInvocations(), batchInvocations()].map((list) => ({
      plan: list.find((i) => i.args[0] === 'plan')!,
      merge: list.find((i) => i.args[0] === 'merge')!,
    }))
    for (const { plan, merge } of pairs) {
      expect(valueOf(plan.args, '--state'), plan.where).toMatch(/^s3:\/\/[^/]+\/.+/)
      expect(valueOf(merge.args, '--state'), merge.where).toBe(valueOf(plan.args, '--state'))
    }
    // The state prefix is the one the shipped IAM policy lets a run read and write.
    const policy = readFileSync(join(deploy, 'trailscan-iam-policy.json'), 'utf8')
    expect(policy).toContain('"state/*"')
    const submit = readFileSync(join(deploy, 'aws-batch', 'submit.sh'), 'utf8')
    expect(submit).toMatch(/--parameters "source=\$SOURCE,state=\$STATE,/)
    expect(submit).toMatch(/--job-definition trailscan-merge \\\n\s+--parameters "plan=[^"]*,state=\$STATE,/)
  })

  it('puts the Indexed Job in the ConfigMap the CronJob reads its template from', () => {
    const k = yaml.load(readFileSync(join(deploy, 'kubernetes', 'kustomization.yaml'), 'utf8')) as {
      configMapGenerator: { name: string; files: string[] }[]
    }
    const cron = readFileSync(join(deploy, 'kubernetes', 'cronjob.yaml'), 'utf8')
    const gen = k.configMapGenerator.find((g) => g.files.includes('indexed-job.yaml'))!
    expect(cron).toContain(`name: ${gen.name}`)
    expect(cron).toContain('/templates/indexed-job.yaml')
    expect(readFileSync(join(deploy, 'kubernetes', 'indexed-job.yaml'), 'utf8')).toContain('name: trailscan-shards-RUN_ID_PLACEHOLDER')
    expect(cron).toContain('job="trailscan-shards-$RUN_ID"')
  })

  it('builds a slim Node 24 image that runs the CLI as a non-root user', () => {
    const lines = readFileSync(join(deploy, 'Dockerfile'), 'utf8').split('\n')
    const froms = lines.filter((l) => l.startsWith('FROM '))
    expect(froms.at(-1)).toMatch(/^FROM node:24-slim\b/)
    const final = lines.slice(lines.lastIndexOf(froms.at(-1)!))
    expect(final.find((l) => l.startsWith('USER '))).toMatch(/^USER (node|[1-9]\d*)$/)
    expect(final.find((l) => l.startsWith('ENTRYPOINT '))).toBe('ENTRYPOINT ["node", "/app/dist/bin.js"]')
  })
})
