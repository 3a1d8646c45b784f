import type { SNSClient, PublishBatchRequestEntry } from '@aws-sdk/client-sns'
import type { Finding } from '../finding.js'
import type { Severity } from '../../rules/spec.js'
import { commands, snsClient, type AwsClientOptions } from './aws-clients.js'
import { byteLength, fitJson } from './fit-json.js'
import { codeIsThrottling, codeIsTransient, type AttemptOutcome } from './retry.js'
import { deliverBatched, type DeliverySink, type SinkContext, type SinkOutcome } from './sink.js'

/** SNS's message limit, message attributes included (262,144 bytes); also PublishBatch's limit for all entries. */
export const SNS_MAX_BYTES = 262_144
/** PublishBatch takes at most 10 entries. */
export const SNS_BATCH_ENTRIES = 10
/** Subjects must be under 100 characters. */
export const SNS_SUBJECT_MAX = 99

/** arn:PARTITION:sns:REGION:ACCOUNT:TOPIC (a .fifo topic too). */
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/

/**
 * A subject line a person can read, within SNS's rules: printable ASCII only (no line breaks or control
 * characters), starting with a letter, digit or punctuation, under 100 characters.
 */
export function snsSubject(f: Finding): string {
  const target = f.resource.name ?? f.resource.arn
  const raw = `[${f.severity.toUpperCase()}] ${f.title}${target ? `: ${target}` : ''}${f.account ? ` (${f.account})` : ''}`
  const ascii = raw
    // Line breaks and control characters read as spaces; other characters outside ASCII as `?`.
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim()
  return ascii.length > SNS_SUBJECT_MAX ? `${ascii.slice(0, SNS_SUBJECT_MAX - 3)}...` : ascii
}

/**
 * The notification: what the AWS Storage Blog's rule notification carries (source IP, region, time, bucket,
 * account, the new policy or ACL) on top, then the whole finding.
 */
export function snsNotification(f: Finding): Record<string, unknown> {
  const d = f.details ?? {}
  const bucket =
    d.bucket ?? (f.resource.type === 'bucket' ? f.resource.name : f.resource.type === 'object' ? f.resource.name?.split('/')[0] : null)
  const acl = d.newAcl ?? d.aclHeaders ?? d.cannedAcl
  return {
    title: f.title,
    severity: f.severity,
    ruleId: f.ruleId,
    findingId: f.id,
    sourceIp: f.sourceIp,
    region: f.region,
    time: f.eventTime,
    bucket: bucket ?? null,
    account: f.account,
    eventName: f.eventName,
    actor: f.actor.arn,
    ...(d.newPolicy !== undefined ? { newPolicy: d.newPolicy } : {}),
    ...(acl !== undefined ? { newAcl: acl } : {}),
    finding: f,
  }
}

function attributes(f: Finding): NonNullable<PublishBatchRequestEntry['MessageAttributes']> {
  return {
    severity: { DataType: 'String', StringValue: f.severity },
    ruleId: { DataType: 'String', StringValue: f.ruleId },
  }
}

function attributeBytes(f: Finding): number {
  let n = 0
  for (const [name, v] of Object.entries(attributes(f)))
    n += byteLength(name) + byteLength(v.DataType ?? '') + byteLength(v.StringValue ?? '')
  return n
}

interface Message {
  finding: Finding
  entry: PublishBatchRequestEntry
  bytes: number
}

/** `sns:TOPIC_ARN`: one message per finding, sent with PublishBatch (10 per call, 256 KB per call). */
export class SnsSink implements DeliverySink {
  readonly destination: string
  private readonly client: SNSClient
  private readonly fifo: boolean

  constructor(
    readonly topicArn: string,
    opts: AwsClientOptions,
    readonly minSeverity?: Severity,
  ) {
    const m = SNS_TOPIC_ARN.exec(topicArn)
    if (!m) throw new RangeError(`not an SNS topic ARN: ${topicArn}`)
    this.destination = `sns:${topicArn}`
    this.fifo = topicArn.endsWith('.fifo')
    // The topic's region is in its ARN: Publish must go there whatever region the profile names.
    this.client = snsClient({ ...opts, region: m[1] })
  }

  private message(f: Finding): Message | string {
    const subject = snsSubject(f)
    const fixed = attributeBytes(f) + byteLength(subject)
    const fitted = fitJson(snsNotification(f), SNS_MAX_BYTES - fixed, "SNS's 256 KB message limit")
    if (!fitted) return `the notification does not fit SNS's 256 KB limit even without its details`
    const entry: PublishBatchRequestEntry = { Id: 'x', Message: fitted.json, Subject: subject, MessageAttributes: attributes(f) }
    if (this.fifo) {
      entry.MessageGroupId = f.ruleId
      entry.MessageDeduplicationId = f.id
    }
    return { finding: f, entry, bytes: fixed + byteLength(fitted.json) }
  }

  private async attempt(batch: Message[]): Promise<AttemptOutcome> {
    const entries = batch.map((m, i) => ({ ...m.entry, Id: `m${i}` }))
    const res = await this.client.send(commands.publishBatch({ TopicArn: this.topicArn, PublishBatchRequestEntries: entries }))
    const failed = new Map((res.Failed ?? []).map((f) => [f.Id, f]))
    const ok = new Set((res.Successful ?? []).map((s) => s.Id))
    return entries.map((e) => {
      const f = failed.get(e.Id)
      if (f) {
        const code = f.Code ?? 'Failed'
        // SenderFault false: SNS's side failed, so the same message may get through later.
        const retryable = codeIsThrottling(code) || codeIsTransient(code) || f.SenderFault === false
        return { code, message: f.Message ?? code, retryable, throttled: codeIsThrottling(code) }
      }
      return ok.has(e.Id)
        ? undefined
        : { code: 'NoAnswer', message: 'PublishBatch named this entry neither successful nor failed', retryable: true }
    })
  }

  deliver(findings: readonly Finding[], ctx: SinkContext): Promise<SinkOutcome> {
    return deliverBatched(this, findings, ctx, {
      entry: (f) => this.message(f),
      maxCount: SNS_BATCH_ENTRIES,
      maxBytes: SNS_MAX_BYTES,
      attempt: (b) => this.attempt(b),
    })
  }

  close(): void {
    this.client.destroy()
  }
}
