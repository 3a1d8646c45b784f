/**
 * A walk through one chunk's literal occurrences, in order. The regex lists literals longest first, and each
 * search restarts one character after the previous match, so every position where some literal starts is seen,
 * with the longest literal there; the shorter ones there are inside it (RuleIndex.contained). Together that finds
 * every literal in a record, overlapping ones included.
 */
export class LiteralCursor {
  private chunk: string | undefined
  private at = -1
  private text = ''

  collect(re: RegExp, chunk: string, start: number, end: number, found: Set<string>): void {
    if (chunk !== this.chunk) {
      this.chunk = chunk
      this.search(re, start)
    } else if (this.at !== -1 && this.at < start) this.search(re, start)
    while (this.at !== -1 && this.at < end) {
      if (this.at + this.text.length <= end) found.add(this.text)
      this.search(re, this.at + 1)
    }
  }

  private search(re: RegExp, from: number): void {
    re.lastIndex = from
    const m = re.exec(this.chunk!)
    this.at = m ? m.index : -1
    this.text = m ? m[0] : ''
  }
}
