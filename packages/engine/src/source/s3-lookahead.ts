/**
 * Ordered flat-map with bounded lookahead: expands each item of `source` into an async iterable and yields the
 * results in source order, while up to `lookahead` expansions run ahead, each holding at most one result
 * (for the lister: one page of up to 1,000 keys). Memory stays bounded however large the bucket is, and the
 * requests of independent prefixes overlap. Errors surface in order, when their expansion reaches the head.
 */
interface Slot<U> {
  it: AsyncIterator<U>
  next: Promise<IteratorResult<U>>
}

function advance<U>(it: AsyncIterator<U>): Promise<IteratorResult<U>> {
  const next = it.next()
  // Rejections of slots not yet at the head are re-observed when they get there; this only keeps Node from
  // reporting them as unhandled in the meantime.
  next.catch(() => undefined)
  return next
}

export async function* flatMapOrdered<T, U>(
  source: AsyncIterable<T>,
  expand: (item: T) => AsyncIterable<U>,
  lookahead: number,
): AsyncGenerator<U, void, undefined> {
  const width = Math.max(1, Math.floor(lookahead))
  const items = source[Symbol.asyncIterator]()
  const window: Slot<U>[] = []
  let sourceDone = false
  try {
    for (;;) {
      while (!sourceDone && window.length < width) {
        const r = await items.next()
        if (r.done === true) sourceDone = true
        else {
          const it = expand(r.value)[Symbol.asyncIterator]()
          window.push({ it, next: advance(it) })
        }
      }
      const head = window[0]
      if (head === undefined) return
      const r = await head.next
      if (r.done === true) {
        window.shift()
        continue
      }
      head.next = advance(head.it)
      yield r.value
    }
  } finally {
    // Early exit (consumer break or an error): close what is still open. Not awaited: a slot may be waiting on
    // a request, and its generator finishes that request before honouring return().
    for (const slot of window) void slot.it.return?.()?.catch(() => undefined)
    if (!sourceDone) void items.return?.()?.catch(() => undefined)
  }
}
