/**
 * AWS's regular-expression subset (`%…%`) validated and translated to a JavaScript RegExp.
 * AWS allows letters, digits, the symbols `: _ # = @ / ; , -`, and the operators `^ $ ? [ ] { } | \ * + .`;
 * groups, other symbols and multi-byte characters are rejected. A space is accepted too: the documentation's own
 * example `%^starting|^initializing|^shutting down%` contains one.
 */
import { syntaxError } from './syntax-error.js'

const LITERAL = /[A-Za-z0-9 :_#=@/;,-]/
const OPERATOR = /[\^$?[\]{}|\\*+.]/
const HEX2 = /^[0-9A-Fa-f]{2}$/
const BRACES = /^\{(\d*)(,?)(\d*)\}/

// AWS's \s is exactly tab, space and newline; JavaScript's is wider, so both forms are spelled out.
const SPACE_CLASS_BODY = ' \\t\\n'
const NON_SPACE_CLASS_BODY = '\\0-\\x08\\x0B-\\x1F\\x21-\\uFFFF'

function escapeForClass(ch: string): string {
  return /[A-Za-z0-9 _]/.test(ch) ? ch : `\\${ch}`
}

/**
 * Returns a RegExp that searches (unanchored) like AWS does, or throws a RuleSyntaxError whose offset is inside
 * `text` (`bodyOffset` is where `source` starts).
 */
export function translateAwsRegex(source: string, text: string, bodyOffset: number): RegExp {
  const fail = (reason: string, at: number): never => {
    throw syntaxError(text, bodyOffset + at, reason)
  }
  if (source === '') fail('empty regular expression', 0)
  let out = ''
  let inClass = false
  let classStart = -1
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string
    if (ch.charCodeAt(0) > 127) fail('multi-byte characters are not supported in regular expressions', i)
    if (ch === '(' || ch === ')') fail("'(' and ')' are not supported in regular expressions", i)
    if (ch === '\\') {
      const e = source[i + 1]
      if (e === undefined) fail('regular expression ends with a lone backslash', i)
      const esc = e as string
      if (esc === 'd' || esc === 'D' || esc === 'w' || esc === 'W') out += `\\${esc}`
      else if (esc === 's') out += inClass ? SPACE_CLASS_BODY : `[${SPACE_CLASS_BODY}]`
      else if (esc === 'S') out += inClass ? NON_SPACE_CLASS_BODY : `[^${SPACE_CLASS_BODY}]`
      else if (esc === 'x') {
        const hh = source.slice(i + 2, i + 4)
        if (!HEX2.test(hh)) fail('\\x must be followed by two hexadecimal digits', i)
        out += `\\x${hh}`
        i += 2
      } else if (/[A-Za-z0-9]/.test(esc)) fail(`unsupported escape '\\${esc}' in regular expression`, i)
      else if (LITERAL.test(esc) || OPERATOR.test(esc)) out += `\\${esc}`
      else fail(`character ${JSON.stringify(esc)} is not supported in regular expressions`, i + 1)
      i++
      continue
    }
    if (inClass) {
      if (ch === ']') {
        if (i === classStart) fail('empty character class', i)
        inClass = false
        out += ']'
      } else if (ch === '-' || (ch === '^' && i === classStart)) out += ch
      else if (LITERAL.test(ch) || OPERATOR.test(ch)) out += escapeForClass(ch)
      else fail(`character ${JSON.stringify(ch)} is not supported in regular expressions`, i)
      continue
    }
    if (ch === '[') {
      inClass = true
      out += '['
      if (source[i + 1] === '^') {
        out += '^'
        i++
      }
      classStart = i + 1
      continue
    }
    if (ch === '{') {
      const m = BRACES.exec(source.slice(i))
      const min = m?.[1] ?? ''
      const comma = m?.[2] ?? ''
      const max = m?.[3] ?? ''
      if (!m || (min === '' && max === '') || (comma === '' && max !== '')) {
        fail("'{' must start a repetition {m}, {m,}, {,n} or {m,n}", i)
      }
      if (min !== '' && max !== '' && Number(min) > Number(max)) fail('repetition {m,n} needs m <= n', i)
      // `{,n}` is AWS syntax ("either m or n can be omitted"); JavaScript reads it as literal text, so spell out 0.
      out += `{${min === '' ? '0' : min}${comma}${max}}`
      i += (m as RegExpExecArray)[0].length - 1
      continue
    }
    if (ch === '}' || ch === ']') fail(`unmatched '${ch}' in regular expression`, i)
    if (OPERATOR.test(ch)) out += ch
    else if (LITERAL.test(ch)) out += ch === '/' ? '\\/' : ch
    else fail(`character ${JSON.stringify(ch)} is not supported in regular expressions`, i)
  }
  if (inClass) fail("unterminated character class: expected ']'", classStart - 1)
  try {
    return new RegExp(out)
  } catch (err) {
    return fail(`invalid regular expression: ${(err as Error).message}`, 0)
  }
}
