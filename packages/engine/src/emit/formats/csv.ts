import { citedTechniques } from './attack.js'
import { cisControls, type EmittedFinding } from './emitted-finding.js'
import { limitedJson, limitText } from './text-limit.js'

/**
 * Findings as CSV (RFC 4180): a header row, then one row per finding, CRLF line ends, a field quoted when it holds
 * a comma, a double quote (doubled), a CR or an LF. The columns are a contract (README, "CSV columns"): new ones
 * are added at the end.
 */
export const CSV_COLUMNS = [
  'id',
  'eventTime',
  'severity',
  'ruleId',
  'title',
  'pack',
  'account',
  'region',
  'eventName',
  'eventSource',
  'sourceIp',
  'userAgent',
  'actorArn',
  'actorType',
  'actorUserName',
  'actorAccessKeyId',
  'resourceType',
  'resourceName',
  'resourceArn',
  'errorCode',
  'status',
  'mitreAttack',
  'cis',
  'eventId',
  'sourceUri',
  'recordIndex',
  'suppressed',
  'details',
] as const

export interface CsvOptions {
  /**
   * Applied to each cell's text before it is made inert and quoted: the CLI passes its control-character escaping
   * (a CSV is read on terminals too). Default: the text as it is.
   */
  cell?: (text: string) => string
}

/** Excel's longest cell; a spreadsheet cuts a longer one where it likes, so it is cut here, visibly. */
export const CSV_MAX_CELL = 32_767

/**
 * Spreadsheets run a cell that starts with one of these as a formula (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3`), and
 * attacker-chosen text (a user agent, a bucket name, a session name) reaches the cells. A leading apostrophe makes
 * the cell text: Excel, LibreOffice and Google Sheets show the rest as written.
 */
const FORMULA_START = /^[=+\-@\t\r]/

/** One cell, inert and quoted as RFC 4180 needs. */
export function csvCell(text: string): string {
  const inert = FORMULA_START.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert
}

function row(cells: readonly string[], opts: CsvOptions): string {
  const cell = opts.cell ?? ((s: string) => s)
  return `${cells.map((c) => csvCell(limitText(cell(c), CSV_MAX_CELL))).join(',')}\r\n`
}

/** The header row, CRLF included. */
export function csvHeader(): string {
  return row(CSV_COLUMNS, {})
}

/** One finding as a CSV row in CSV_COLUMNS order, CRLF included. */
export function toCsvRow(f: EmittedFinding, opts: CsvOptions = {}): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
    id: f.id,
    eventTime: f.eventTime,
    severity: f.severity,
    ruleId: f.ruleId,
    title: f.title,
    pack: f.pack,
    account: f.account,
    region: f.region,
    eventName: f.eventName,
    eventSource: f.eventSource,
    sourceIp: f.sourceIp,
    userAgent: f.userAgent,
    actorArn: f.actor.arn,
    actorType: f.actor.type,
    actorUserName: f.actor.userName,
    actorAccessKeyId: f.actor.accessKeyId,
    resourceType: f.resource.type,
    resourceName: f.resource.name,
    resourceArn: f.resource.arn,
    errorCode: f.errorCode,
    status: f.status,
    mitreAttack: citedTechniques(f.references).join(' '),
    cis: cisControls(f.references)
      .map(([version, control]) => `${version}:${control}`)
      .join(' '),
    eventId: f.eventId,
    sourceUri: f.source.uri,
    recordIndex: f.source.recordIndex,
    suppressed: f.suppressed ? `${f.suppressed.reason} (until ${f.suppressed.expires})` : null,
    details: f.details ? limitedJson(f.details, CSV_MAX_CELL) : null,
  }
  return row(
    CSV_COLUMNS.map((c) => String(values[c] ?? '')),
    opts,
  )
}
