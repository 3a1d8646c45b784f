/** Plain fixed-width table: column widths from the content, capped so a long ARN cannot push the rest off screen. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth = 48): string {
  const widths = headers.map((h, i) => Math.min(maxWidth, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))))
  const cell = (s: string, w: number): string => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w))
  const line = (cells: readonly string[]): string => cells.map((c, i) => cell(c, widths[i]!)).join('  ').trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n'
}
