import { describe, expect, it } from 'vitest'
import { compileCwlFilter } from './compile.js'

const CIS_4_1 =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }'
const CIS_4_7 = '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }'

describe('index keys', () => {
  it('list the eventName values an || chain allows', () => {
    const f = compileCwlFilter('{ ($.eventName = CreateTrail) || ($.eventName = "DeleteTrail") }')
    expect(f.indexKeys).toEqual({ eventSource: null, eventName: ['CreateTrail', 'DeleteTrail'] })
  })

  it('combine eventSource and eventName constraints under &&', () => {
    expect(compileCwlFilter(CIS_4_7).indexKeys).toEqual({
      eventSource: ['kms.amazonaws.com'],
      eventName: ['DisableKey', 'ScheduleKeyDeletion'],
    })
  })

  it('are null when some branch does not constrain the key', () => {
    expect(compileCwlFilter(CIS_4_1).indexKeys).toEqual({ eventSource: null, eventName: null })
    expect(compileCwlFilter('{ $.eventName = A || $.x = 1 }').indexKeys.eventName).toBeNull()
  })

  it('ignore wildcards, regexes, negations, numbers and nested selectors', () => {
    for (const cond of ['= Create*', '= %Create%', '!= A', '= 5', '= "5"', '= true']) {
      expect(compileCwlFilter(`{ $.eventName ${cond} }`).indexKeys.eventName).toBeNull()
    }
    expect(compileCwlFilter('{ $.x.eventName = A }').indexKeys.eventName).toBeNull()
  })

  it('intersect two constraints on the same key', () => {
    expect(compileCwlFilter('{ ($.eventName = A || $.eventName = B) && $.eventName = B }').indexKeys.eventName).toEqual(['B'])
  })

  it('are null for term and space-delimited patterns', () => {
    expect(compileCwlFilter('CreateTrail').indexKeys).toEqual({ eventSource: null, eventName: null })
    expect(compileCwlFilter('[a = CreateTrail]').indexKeys).toEqual({ eventSource: null, eventName: null })
  })
})

describe('prefilter literals', () => {
  it('take the text between wildcards of each || branch', () => {
    expect(compileCwlFilter(CIS_4_1).literals).toEqual([['UnauthorizedOperation"'], ['"AccessDenied']])
  })

  it('carry the quotes a string value sits between, unless a number, boolean or null could match', () => {
    expect(compileCwlFilter('{ $.userIdentity.type = "Root" }').literals).toEqual([['"Root"']])
    expect(compileCwlFilter('{ $.a = "ab*cd*ef" }').literals).toEqual([['"ab', 'cd', 'ef"']])
    expect(compileCwlFilter('{ $.a = "12*" }').literals).toEqual([['12']])
    expect(compileCwlFilter('{ $.a = "*1e5" }').literals).toEqual([['1e5']])
    expect(compileCwlFilter('{ $.a = "tru*" }').literals).toEqual([['tru']])
    expect(compileCwlFilter('{ $.a = "null" }').literals).toEqual([['null']])
  })

  it('multiply out && over ||', () => {
    expect(compileCwlFilter(CIS_4_7).literals).toEqual([
      ['"DisableKey"', '"kms.amazonaws.com"'],
      ['"ScheduleKeyDeletion"', '"kms.amazonaws.com"'],
    ])
  })

  it('are null when a branch needs no literal', () => {
    expect(compileCwlFilter('{ $.a = x || $.b != y }').literals).toBeNull()
    expect(compileCwlFilter('{ $.a = * }').literals).toBeNull()
    expect(compileCwlFilter('{ $.a NOT EXISTS }').literals).toBeNull()
    expect(compileCwlFilter('{ $.a = %abc% }').literals).toBeNull()
    expect(compileCwlFilter('{ $.n = 1000 }').literals).toBeNull()
  })

  it('never use text a JSON writer might escape', () => {
    expect(compileCwlFilter('{ $.a = "x/y" }').literals).toBeNull()
    expect(compileCwlFilter('{ $.a = "café" }').literals).toBeNull()
    expect(compileCwlFilter('{ $.a = "<b>" }').literals).toBeNull()
    expect(compileCwlFilter('{ $.a = "say \\"hi\\"" }').literals).toBeNull()
    expect(compileCwlFilter('{ $.a = "arn:aws:iam*" && $.b = "a/b" }').literals).toEqual([['"arn:aws:iam']])
  })

  it('use the JSON literals for IS TRUE / FALSE / NULL', () => {
    expect(compileCwlFilter('{ $.f IS TRUE }').literals).toEqual([['true']])
    expect(compileCwlFilter('{ $.f IS NULL }').literals).toEqual([['null']])
  })

  it('use required terms of term patterns, and each ?term as an alternative', () => {
    expect(compileCwlFilter('"[ERROR]" Exception -DEBUG').literals).toEqual([['[ERROR]', 'Exception']])
    expect(compileCwlFilter('?ERROR ?WARN').literals).toEqual([['ERROR'], ['WARN']])
    expect(compileCwlFilter('-DEBUG').literals).toBeNull()
    expect(compileCwlFilter('').literals).toBeNull()
    expect(compileCwlFilter('[a, b]').literals).toBeNull()
    expect(compileCwlFilter('%abc%').literals).toBeNull()
  })

  it('are present in the raw text of every matching record', () => {
    const f = compileCwlFilter('{ $.a = "x*y*z" && $.n = "1*" }')
    const text = '{"a":"xAyBz","n":12.5}'
    expect(f.testMessage(text).matched).toBe(true)
    expect(f.literals?.some((alt) => alt.every((l) => text.includes(l)))).toBe(true)
  })
})
