/**
 * `--to` values: parsed and checked before a scan starts (a bad one is a usage error), then turned into sinks.
 */
import type { Severity } from '../../rules/spec.js'
import type { AwsClientOptions } from './aws-clients.js'
import { EVENT_BUS_ARN, EVENT_BUS_NAME, EventBridgeSink } from './eventbridge.js'
import { SecurityHubSink } from './securityhub.js'
import type { DeliverySink } from './sink.js'
import { SlackSink } from './slack.js'
import { SNS_TOPIC_ARN, SnsSink } from './sns.js'
import { WebhookSink } from './webhook.js'

export type DestinationSpec =
  | { kind: 'securityhub' }
  | { kind: 'sns'; topicArn: string }
  | { kind: 'eventbridge'; bus: string }
  | { kind: 'webhook'; url: string }
  | { kind: 'slack'; url: string }

export const DESTINATION_FORMS = 'securityhub, sns:TOPIC_ARN, eventbridge:BUS (name or ARN), webhook:URL or slack:URL'

function httpUrl(v: string, what: string): string {
  let url: URL
  try {
    url = new URL(v)
  } catch {
    throw new RangeError(`${what} needs an http:// or https:// URL, not ${JSON.stringify(v)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RangeError(`${what} needs an http:// or https:// URL, not ${JSON.stringify(v)}`)
  return v
}

/** One `--to` value; a RangeError names what is wrong with it. */
export function parseDestination(text: string): DestinationSpec {
  if (text === 'securityhub') return { kind: 'securityhub' }
  const colon = text.indexOf(':')
  const kind = colon < 0 ? text : text.slice(0, colon)
  const rest = colon < 0 ? '' : text.slice(colon + 1)
  switch (kind) {
    case 'sns':
      if (!SNS_TOPIC_ARN.test(rest))
        throw new RangeError(`sns: needs a topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC), not ${JSON.stringify(rest)}`)
      return { kind, topicArn: rest }
    case 'eventbridge':
      if (!EVENT_BUS_ARN.test(rest) && (rest.startsWith('arn:') || !EVENT_BUS_NAME.test(rest)))
        throw new RangeError(
          `eventbridge: needs an event bus name or ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME), not ${JSON.stringify(rest)}`,
        )
      return { kind, bus: rest }
    case 'webhook':
      return { kind, url: httpUrl(rest, 'webhook:') }
    case 'slack':
      return { kind, url: httpUrl(rest, 'slack:') }
    default:
      throw new RangeError(`unknown destination ${JSON.stringify(text)}: use ${DESTINATION_FORMS}`)
  }
}

/**
 * A destination as logs and summaries show it. Webhook and Slack URLs carry their secret in the path (Slack's
 * incoming webhooks are `/services/T…/B…/secret`) or the query, and CI logs are read by many: only the scheme and
 * host are shown. The outbox keeps the whole text, as it must send there again.
 */
export function displayDestination(destination: string): string {
  const m = /^(webhook|slack):(.*)$/s.exec(destination)
  if (!m) return destination
  try {
    const url = new URL(m[2]!)
    const hidden = url.pathname !== '/' || url.search !== '' || url.username !== '' || url.password !== ''
    return `${m[1]}:${url.protocol}//${url.host}${hidden ? '/…' : '/'}`
  } catch {
    return `${m[1]}:…`
  }
}

/** Plain http:// sends findings in clear text: worth a warning unless it stays on this machine. */
export function isCleartextRemote(spec: DestinationSpec): boolean {
  if (spec.kind !== 'webhook' && spec.kind !== 'slack') return false
  const url = new URL(spec.url)
  return url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
}

export interface SinkOptions {
  aws: AwsClientOptions
  minSeverity?: Severity
}

export function createSink(spec: DestinationSpec, opts: SinkOptions): DeliverySink {
  const min = opts.minSeverity
  switch (spec.kind) {
    case 'securityhub':
      return new SecurityHubSink(opts.aws, min)
    case 'sns':
      return new SnsSink(spec.topicArn, opts.aws, min)
    case 'eventbridge':
      return new EventBridgeSink(spec.bus, opts.aws, min)
    case 'webhook':
      return new WebhookSink(spec.url, min)
    case 'slack':
      return new SlackSink(spec.url, min)
  }
}
