import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packages = fileURLToPath(new URL('../../', import.meta.url))

function imports(pkg: string): { file: string; spec: string }[] {
  const src = join(packages, pkg, 'src')
  const out: { file: string; spec: string }[] = []
  for (const f of readdirSync(src, { recursive: true }) as string[]) {
    if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue
    const text = readFileSync(join(src, f), 'utf8')
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) out.push({ file: f, spec: m[1]! })
  }
  return out
}

describe('package boundaries', () => {
  it('keeps the engine free of the CLI, the rule content, yargs and pino', () => {
    const bad = imports('engine').filter(({ spec }) => /^(@trailscan\/(cli|rules)|yargs|pino)(\/|$)/.test(spec))
    expect(bad).toEqual([])
  })

  it('keeps the rules package free of engine code at run time', () => {
    const bad = imports('rules').filter(({ spec }) => spec.startsWith('@trailscan/'))
    expect(bad).toEqual([])
  })

  it('lets only the CLI load yargs and pino', () => {
    const users = ['engine', 'rules'].flatMap((p) => imports(p)).filter(({ spec }) => spec === 'yargs' || spec === 'pino')
    expect(users).toEqual([])
  })

  it('keeps the rule languages behind match/: the scanner and select name none of them', () => {
    // The scanner once built the EventBridge envelope itself; it now asks match/context.ts for the context.
    const languages = /^match\/(cwl-filter|eventbridge|typed|regex)\//
    const bad = imports('engine').filter(({ file, spec }) => {
      if (!/^(scan|select)[/.]/.test(file) || !spec.startsWith('.')) return false
      return languages.test(
        normalize(join(dirname(file), spec))
          .split('\\')
          .join('/'),
      )
    })
    expect(bad).toEqual([])
  })
})
