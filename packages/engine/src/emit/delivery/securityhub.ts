import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub'
import type { Finding } from '../finding.js'
import { toAsff } from '../formats/asff.js'
import type { Severity } from '../../rules/spec.js'
import { commands, securityHubClient, type AwsClientOptions } from './aws-clients.js'
import { byteLength } from './fit-json.js'
import { batches, codeIsThrottling, codeIsTransient, sendWithRetries, type AttemptOutcome } from './retry.js'
import { failureOf, type DeliveryFailure, type DeliverySink, type SinkContext, type SinkOutcome } from './sink.js'

/** BatchImportFindings: at most 100 findings, 240 KB per finding and 6 MB per call. */
export const SECURITYHUB_BATCH_FINDINGS = 100
export const SECURITYHUB_FINDING_BYTES = 240 * 1024
export const SECURITYHUB_CALL_BYTES = 6 * 1024 * 1024

/**
 * Why Security Hub refuses another account's findings, for the error message. With the default product ARN
 * (product/ACCOUNT/default) BatchImportFindings must be called by ACCOUNT itself, and Security Hub answers a
 * mismatch with AccessDeniedException for the whole call. An organization trail holds every member account's
 * events, so its findings for other accounts need those accounts' credentials.
 */
export function accountMismatch(findingAccount: string, message: string): string | undefined {
  const caller = /\barn:aws[a-z-]*:(?:sts|iam)::(\d{12}):/.exec(message)?.[1]
  if (caller === findingAccount) return undefined
  const who = caller ? `the caller is account ${caller}` : `the caller may not be account ${findingAccount}`
  return (
    `findings of account ${findingAccount} can only be imported by account ${findingAccount} with the default product ARN ` +
    `(product/${findingAccount}/default), and ${who}; for an organization trail, deliver each member account's findings ` +
    `with that account's credentials (--profile, a role in it), or send them to EventBridge or SNS instead`
  )
}

interface Item {
  finding: Finding
  asff: AwsSecurityFinding
  bytes: number
}

/**
 * `securityhub`: BatchImportFindings with the ASFF mapping (emit/formats/asff.ts), each finding into the Security
 * Hub of its own account and region, the region its default product ARN names (cross-region aggregation then
 * gathers them). Batches hold one account's findings of one region, so a refused account fails alone. The ASFF
 * Id is the finding id and the product ARN is fixed per account and region, so importing the same finding again
 * updates it, never duplicates it.
 */
export class SecurityHubSink implements DeliverySink {
  readonly destination = 'securityhub'
  private readonly clients = new Map<string, SecurityHubClient>()

  constructor(
    private readonly opts: AwsClientOptions,
    readonly minSeverity?: Severity,
  ) {}

  private client(region: string): SecurityHubClient {
    let c = this.clients.get(region)
    if (!c) {
      c = securityHubClient({ ...this.opts, region })
      this.clients.set(region, c)
    }
    return c
  }

  private async attempt(region: string, batch: Item[]): Promise<AttemptOutcome> {
    const res = await this.client(region).send(commands.batchImportFindings({ Findings: batch.map((i) => i.asff) }))
    const failed = new Map((res.FailedFindings ?? []).map((f) => [f.Id, f]))
    return batch.map((i) => {
      const f = failed.get(i.asff.Id)
      if (!f) return undefined
      const code = f.ErrorCode ?? 'Failed'
      return {
        code,
        message: f.ErrorMessage ?? code,
        retryable: codeIsThrottling(code) || codeIsTransient(code),
        throttled: codeIsThrottling(code),
      }
    })
  }

  async deliver(findings: readonly Finding[], ctx: SinkContext): Promise<SinkOutcome> {
    const outcome: SinkOutcome = { sent: [], failed: [], retries: 0 }
    const fail = (f: Finding, code: string, message: string): void => {
      const failed = failureOf(f, code, message)
      outcome.failed.push(failed)
      ctx.onFailure(this.destination, failed.failure)
    }
    const groups = new Map<string, { account: string; region: string; items: Item[] }>()
    for (const f of findings) {
      let asff: AwsSecurityFinding
      try {
        // The mapping refuses a finding without an account or a region: ASFF requires both.
        asff = toAsff(f)
      } catch (e) {
        fail(f, 'NotAsff', (e as Error).message)
        continue
      }
      const bytes = byteLength(JSON.stringify(asff))
      if (bytes > SECURITYHUB_FINDING_BYTES) {
        fail(f, 'TooLarge', `the ASFF finding is ${bytes} bytes, over Security Hub's 240 KB per finding`)
        continue
      }
      const account = asff.AwsAccountId!
      // The region the product ARN names (toAsff built it from the finding's region); ASFF has no Region field to send.
      const region = asff.ProductArn!.split(':')[3]!
      const key = `${account} ${region}`
      const g = groups.get(key) ?? { account, region, items: [] }
      g.items.push({ finding: f, asff, bytes })
      groups.set(key, g)
    }
    const refusedAccounts = new Map<string, DeliveryFailure>()
    for (const { account, region, items } of groups.values()) {
      for (const batch of batches(items, SECURITYHUB_BATCH_FINDINGS, SECURITYHUB_CALL_BYTES, (i) => i.bytes)) {
        // Once Security Hub refused this account's findings, its other batches would be refused the same way.
        const refused = refusedAccounts.get(account)
        if (refused) {
          for (const i of batch) fail(i.finding, refused.code, refused.message)
          continue
        }
        const r = await sendWithRetries(batch, (b) => this.attempt(region, b), ctx.retry, ctx.signal)
        outcome.retries += r.retries
        outcome.sent.push(...r.sent.map((i) => i.finding))
        for (const { item, failure } of r.failed) {
          let message = failure.message
          if (/AccessDenied/i.test(failure.code)) {
            const why = accountMismatch(account, failure.message)
            if (why) message = `${failure.message} (${why})`
            refusedAccounts.set(account, { findingId: '', ruleId: '', code: failure.code, message })
          }
          fail(item.finding, failure.code, message)
        }
      }
    }
    return outcome
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy()
  }
}
