import { describe, expect, test } from 'vitest'
import { RuleSyntaxError } from '../../errors.js'
import { parseEventPattern } from './parse.js'

const reason = (pattern: string | Record<string, unknown>): string => {
  try {
    parseEventPattern(pattern)
  } catch (err) {
    expect(err).toBeInstanceOf(RuleSyntaxError)
    return (err as Error).message.replace('Event pattern is not valid. Reason: ', '')
  }
  throw new Error('pattern was accepted')
}

describe('parseEventPattern rejects what AWS rejects', () => {
  test.for([
    ['[]', 'Filter is not an object'],
    ['{}', 'Empty objects are not allowed'],
    ['{"detail": {}}', 'Empty objects are not allowed'],
    ['{"a": [["x"]]}', 'Match value must be String, number, true, false, or null'],
    ['{"a": [{}]}', 'Match expression name not found'],
    ['{"a": [{"prefix": "x", "suffix": "y"}]}', 'Only one key allowed in match expression'],
    ['{"a": [{"prefix": {"foo": "x"}}]}', 'Unsupported prefix pattern: foo'],
    ['{"a": [{"prefix": {}}]}', 'Prefix expression name not found'],
    ['{"a": [{"suffix": {"equals-ignore-case": 1}}]}', 'equals-ignore-case match pattern must be a string'],
    ['{"a": [{"contains": "x"}]}', 'Unrecognized match type contains'],
    ['{"a": [{"exists": "true"}]}', 'exists match pattern must be either true or false.'],
    ['{"a": [{"numeric": []}]}', 'Invalid member in numeric match: ]'],
    ['{"a": [{"numeric": [5]}]}', 'Invalid member in numeric match: 5'],
    ['{"a": [{"numeric": ["!=", 5]}]}', 'Unrecognized numeric range operator: !='],
    ['{"a": [{"numeric": ["=", "5"]}]}', 'Value of equals must be numeric'],
    ['{"a": [{"numeric": ["=", 5, "<", 10]}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"numeric": ["<", 10, ">", 0]}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"numeric": [">", 0, 10]}]}', 'Bad value in numeric range: 10'],
    ['{"a": [{"numeric": [">", 0, "<", 10, 11]}]}', 'Too many terms in numeric range expression'],
    ['{"a": [{"numeric": [">", 10, "<", 10]}]}', 'Bottom must be less than top'],
    ['{"a": [{"numeric": [">", 1e400]}]}', 'Value 1e400 is not a number that a 64-bit float represents exactly'],
    ['{"a": [{"numeric": ["=", 5], "x": 1}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"anything-but": true}]}', 'Value of anything-but must be an array or single string/number value.'],
    ['{"a": [{"anything-but": []}]}', 'Inside anything but list, either all values are number or string, mixed type is not supported'],
    [
      '{"a": [{"anything-but": ["a", 1]}]}',
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    ['{"a": [{"anything-but": {}}]}', 'Anything-But expression name not found'],
    ['{"a": [{"anything-but": {"numeric": [">", 1]}}]}', 'Unsupported anything-but pattern: numeric'],
    ['{"a": [{"anything-but": {"exists": true}}]}', 'Unsupported anything-but pattern: exists'],
    ['{"a": [{"anything-but": {"suffix": ["x", ""]}}]}', 'Null prefix/suffix not allowed'],
    ['{"a": [{"anything-but": {"wildcard": "a**"}}]}', 'Consecutive wildcard characters at pos 2'],
    ['{"a": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}', 'Too many elements in numeric expression'],
    [
      '{"a": [{"anything-but": 12345678901234567890}]}',
      'Value 12345678901234567890 is not a number that a 64-bit float represents exactly',
    ],
    ['{"a": [{"wildcard": "a\\\\b"}]}', 'Invalid escape character at pos 2'],
    ['{"a": [{"cidr": "10.0.0.1/32"}]}', 'IPv4 mask bits must be < 32'],
    ['{"$or": [{"a": ["x"]}]}', 'There must have at least 2 Objects in $or relationship.'],
    ['{"$or": []}', 'There must have at least 2 Objects in $or relationship.'],
    ['{"$or": [{"a": ["x"]}, "b"]}', 'Only JSON object is allowed in array of $or relationship.'],
    ['{"$or": [{"a": ["x"]}, {}]}', 'Empty objects are not allowed'],
    ['{"$or": [{"a": ["x"]}, {"b": {"prefix": ["y"]}}]}', 'prefix is Ruler reserved fieldName which cannot be used inside $or.'],
    ['{"$or": "x"}', '"$or" must be an object or an array'],
    ['{"a": ["x"], "b": 1}', '"b" must be an object or an array'],
    ['{"a": ["x"]', "Expected ',' or '}'"],
  ] as const)('%s → %s', ([pattern, expected]) => {
    expect(reason(pattern)).toBe(expected)
  })

  test('the error points at the offending place in the text', () => {
    const text = '{\n  "a": [\n    {"prefix": 1}\n  ]\n}'
    try {
      parseEventPattern(text)
      expect.unreachable()
    } catch (err) {
      expect((err as RuleSyntaxError).location).toEqual({ offset: text.indexOf('1}'), line: 3, column: 16 })
    }
  })

  test('more than 1000 $or combinations are refused; 1000 are fine', () => {
    const branches = (n: number): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => ({ [`f${i}`]: ['x'] }))
    expect(parseEventPattern({ $or: branches(10), x: { $or: branches(10) }, y: { $or: branches(10) } }).combinations).toBe(1000)
    expect(reason({ $or: branches(11), x: { $or: branches(10) }, y: { $or: branches(10) } })).toBe(
      'The use of $or results in over 1000 rule combinations',
    )
  })

  test('pattern text longer than 4096 characters is refused, as the API does', () => {
    const long = `{"a": ["${'x'.repeat(4090)}"]}`
    expect(() => parseEventPattern(long)).toThrow(/length less than or equal to 4096/)
    expect(() => parseEventPattern({ a: ['x'.repeat(4090)] })).toThrow(/length less than or equal to 4096/)
  })

  test('an object pattern must hold only JSON values', () => {
    expect(reason({ a: [Number.POSITIVE_INFINITY] })).toBe('Infinity is not a JSON number')
  })
})

describe('parseEventPattern accepts what AWS accepts', () => {
  test('a duplicate key: the last one wins, in text order', () => {
    const ast = parseEventPattern('{"a": ["x"], "a": [{"prefix": "y"}]}')
    expect(ast.root.entries).toEqual([
      { kind: 'field', key: 'a', matchers: [{ kind: 'string', value: 'x' }], offset: 6 },
      { kind: 'field', key: 'a', matchers: [{ kind: 'prefix', value: 'y', ignoreCase: false }], offset: 18 },
    ])
  })

  test('"$or" followed by an object is a plain field named $or', () => {
    const ast = parseEventPattern({ $or: { a: ['x'] } })
    expect(ast.root.entries[0]).toMatchObject({ kind: 'nested', key: '$or' })
  })

  test('operator names are fine as field names outside $or', () => {
    expect(() => parseEventPattern({ prefix: ['x'], numeric: { exists: ['y'] } })).not.toThrow()
  })

  test('a number keeps its text when it has no exact float64', () => {
    const ast = parseEventPattern('{"n": [12345678901234567890, 3.0e2]}')
    expect(ast.root.entries[0]).toMatchObject({
      matchers: [
        { kind: 'number', text: '12345678901234567890', value: undefined },
        { kind: 'number', text: '3.0e2', value: 300 },
      ],
    })
  })

  test('numeric ranges', () => {
    const ast = parseEventPattern({ n: [{ numeric: ['>=', 0, '<', 5] }, { numeric: ['=', 3.018e2] }] })
    expect(ast.root.entries[0]).toMatchObject({
      matchers: [
        { kind: 'numeric', lower: { value: 0, inclusive: true }, upper: { value: 5, inclusive: false } },
        { kind: 'numeric', lower: { value: 301.8, inclusive: true }, upper: { value: 301.8, inclusive: true } },
      ],
    })
  })

  test('anything-but with an empty prefix list and an empty wildcard', () => {
    expect(() => parseEventPattern({ a: [{ 'anything-but': { prefix: [] } }] })).not.toThrow()
    expect(() => parseEventPattern({ a: [{ 'anything-but': { wildcard: '' } }] })).not.toThrow()
  })
})
