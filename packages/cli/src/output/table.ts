import { escapeControls } from './terminal-text.js'

/**
 * Plain fixed-width table: column widths from the content, capped so a long ARN cannot push the rest off screen.
 * Cells are escaped before they are measured and cut, so a cut never leaves half an escape sequence behind.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth = 48): string {
  const safe = rows.map((r) => r.map(escapeControls))
  const widths = headers.map((h, i) => Math.min(maxWidth, Math.max(h.length, ...safe.map((r) => (r[i] ?? '').length))))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => cell(c, widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(headers.map(escapeControls)), line(widths.map((w) => '-'.repeat(w))), ...safe.map(line)].join('\n') + '\n'
}

function cell(s: string, w: number): string {
  if (s.length <= w) return s.padEnd(w)
  let end = w - 1
  // Never split a surrogate pair: half of one prints as a replacement character.
  if (end > 0 && /[\ud800-\udbff]/.test(s[end - 1]!)) end--
  return `${s.slice(0, end)}…`.padEnd(w)
}
