import { describe, expect, it } from 'vitest'
import { RuleSyntaxError } from '../../errors.js'
import { parseCwlFilter } from './parser.js'

function rejection(pattern: string): { message: string; offset?: number; line?: number; column?: number } {
  try {
    parseCwlFilter(pattern)
  } catch (err) {
    expect(err).toBeInstanceOf(RuleSyntaxError)
    const e = err as RuleSyntaxError
    return { message: e.message, ...e.location }
  }
  throw new Error(`accepted ${pattern}`)
}

describe('JSON pattern grammar', () => {
  it('binds && tighter than || and keeps parenthesised groups', () => {
    const ast = parseCwlFilter('{ $.a = 1 || $.b = 2 && $.c = 3 }')
    expect(ast.kind === 'json' && ast.expression.kind).toBe('or')
    if (ast.kind !== 'json' || ast.expression.kind !== 'or') throw new Error('shape')
    expect(ast.expression.operands.map((o) => o.kind)).toEqual(['compare', 'and'])
    const grouped = parseCwlFilter('{ ($.a = 1 || $.b = 2) && $.c = 3 }')
    expect(grouped.kind === 'json' && grouped.expression.kind).toBe('and')
  })

  it('parses compact CIS spelling without spaces', () => {
    const ast = parseCwlFilter('{($.eventName=DeleteGroupPolicy)||($.sourceIPAddress!="delivery.logs.amazonaws.com")}')
    if (ast.kind !== 'json' || ast.expression.kind !== 'or') throw new Error('shape')
    expect(ast.expression.operands).toMatchObject([
      { kind: 'compare', operator: '=', value: { kind: 'string', value: 'DeleteGroupPolicy', quoted: false } },
      { kind: 'compare', operator: '!=', value: { kind: 'string', value: 'delivery.logs.amazonaws.com', quoted: true } },
    ])
  })

  it('reads selectors with indices, wildcards and bracketed keys', () => {
    const ast = parseCwlFilter("{ $.a[0][1].b = 1 || $.*.x = 1 || $.l[*] = 1 || $.['cluster.name'] = c }")
    if (ast.kind !== 'json' || ast.expression.kind !== 'or') throw new Error('shape')
    const steps = ast.expression.operands.map((o) => (o.kind === 'compare' ? o.selector.steps : []))
    expect(steps).toEqual([
      [
        { kind: 'key', name: 'a' },
        { kind: 'index', index: 0 },
        { kind: 'index', index: 1 },
        { kind: 'key', name: 'b' },
      ],
      [{ kind: 'any-key' }, { kind: 'key', name: 'x' }],
      [{ kind: 'key', name: 'l' }, { kind: 'any-index' }],
      [{ kind: 'key', name: 'cluster.name' }],
    ])
  })

  it('classifies values: numbers, words, quoted strings with escapes, regexes', () => {
    const ast = parseCwlFilter('{ $.a = +1e3 && $.b = 123.123.* && $.c = "say \\"hi\\"" && $.d = %x% }')
    if (ast.kind !== 'json' || ast.expression.kind !== 'and') throw new Error('shape')
    expect(ast.expression.operands.map((o) => (o.kind === 'compare' ? o.value : null))).toMatchObject([
      { kind: 'number', value: 1000, raw: '+1e3' },
      { kind: 'string', value: '123.123.*', quoted: false },
      { kind: 'string', value: 'say "hi"', quoted: true },
      { kind: 'regex', source: 'x' },
    ])
  })
})

describe('JSON patterns AWS rejects', () => {
  it('rejects a leading space and a missing closing brace with the service message', () => {
    expect(rejection(' {$.ThisFlag IS TRUE} ')).toMatchObject({ offset: 1 })
    expect(rejection('{ $.a = 1 ')).toEqual({
      message: "If a filter pattern starts with '{' it must end with '}'",
      offset: 10,
      line: 1,
      column: 11,
    })
  })

  it('rejects relational operators with quoted or non-numeric values at the value', () => {
    expect(rejection('{ $.a < "5" }')).toMatchObject({ offset: 8 })
    expect(rejection('{ $.a >= abc }').message).toContain("operator '>=' needs an unquoted number")
  })

  it('rejects unquoted values with characters outside [A-Za-z0-9._*-]', () => {
    expect(rejection('{ $.a = arn:aws }')).toMatchObject({ offset: 11 })
    expect(rejection('{ $.a = arn:aws }').message).toMatch(/^Invalid character\(s\) in term "arn:aws"/)
  })

  it('rejects unsupported keywords and operators', () => {
    expect(rejection('{ $.a EXISTS }').message).toContain('EXISTS is not supported')
    expect(rejection('{ $.a IS NOT NULL }').message).toContain('IS NOT is not supported')
    expect(rejection('{ $.a is null }').message).toContain('keywords are upper case')
    expect(rejection('{ $.a == 1 }')).toMatchObject({ offset: 6 })
  })

  it('enforces the wildcard and regex quotas', () => {
    expect(rejection('{ $.a[*].b[*] = 1 }')).toMatchObject({ message: 'a selector can contain only one wildcard', offset: 10 })
    expect(rejection('{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }')).toMatchObject({ offset: 44 })
    expect(rejection('{ $.a = %x% && $.b = %y% && $.c = %z% }')).toMatchObject({ offset: 34 })
  })

  it('reports structural errors where they occur, with line and column', () => {
    expect(rejection('{}')).toMatchObject({ offset: 1 })
    expect(rejection('{ $.a = 1 && }')).toMatchObject({ offset: 13 })
    expect(rejection('{ ($.a = 1 }')).toMatchObject({ message: "unclosed '(': expected ')'", offset: 2 })
    expect(rejection('{ $.a = 1) }')).toMatchObject({ message: "unmatched ')'", offset: 9 })
    expect(rejection('{ $.a = 1 & $.b = 2 }')).toMatchObject({ offset: 10 })
    expect(rejection('{ $.a. = 1 }')).toMatchObject({ offset: 6 })
    expect(rejection('{ $[0] = 1 }')).toMatchObject({ offset: 3 })
    expect(rejection('{\n  $.a = 1 &&\n  $.b ~ 2\n}')).toMatchObject({ offset: 21, line: 3, column: 7 })
    expect(rejection('{ $.a = "x }')).toMatchObject({ message: 'unterminated quoted string', offset: 8 })
  })

  it('rejects patterns longer than 1024 characters', () => {
    expect(rejection(`{ $.a = "${'x'.repeat(1020)}" }`)).toMatchObject({ offset: 1024 })
  })
})
