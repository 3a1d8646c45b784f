import { extname } from 'node:path'

/**
 * True when a path names a rule file or directory rather than a pack id. Kept out of load.ts so that resolving
 * `--rules` does not load the YAML parser when the shipped snapshot serves the rules.
 */
export function looksLikePath(s: string): boolean {
  return s.includes('/') || s.includes('\\') || s.startsWith('.') || extname(s) !== ''
}
