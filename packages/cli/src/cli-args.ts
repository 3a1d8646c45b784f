import { readFile } from 'node:fs/promises'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'

/** The AWS CLI's `file://PATH` convention: the argument's value is the file's content. */
export async function readArgument(value: string): Promise<string> {
  if (!value.startsWith('file://')) return value
  const path = value.slice('file://'.length)
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    throw new CliExit(EXIT.usage, `cannot read ${value}: ${(e as Error).message}`)
  }
}

/** Messages for test-metric-filter: each value is a message, or file://PATH holding one message per line. */
export async function readMessages(values: readonly string[]): Promise<string[]> {
  const out: string[] = []
  for (const v of values) {
    if (!v.startsWith('file://')) {
      out.push(v)
      continue
    }
    const text = await readArgument(v)
    const lines = text.split(/\r?\n/)
    if (lines.at(-1) === '') lines.pop()
    out.push(...lines)
  }
  return out
}
