import type { CloudTrailRecord } from '../record.js'
import { toEventBridgeEnvelope } from './eventbridge/envelope.js'
import type { MatchContext } from './matcher.js'

/**
 * What a compiled rule matches against: the parsed record, its text, and what a rule language derives from it
 * (the EventBridge envelope, built on first use, so records no EventBridge rule sees never pay for it). The
 * scanner, rule examples and the comparison oracles build contexts here alone, so the scanner names no rule
 * language.
 */
export function recordContext(record: CloudTrailRecord, text: string = JSON.stringify(record)): MatchContext {
  let envelope: Record<string, unknown> | undefined
  return { record, text, envelope: () => (envelope ??= toEventBridgeEnvelope(record)) }
}
