import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub'
import type { Finding } from '../finding.js'
import type { Severity } from '../../rules/spec.js'
import { commands, securityHubClient, type AwsClientOptions } from './aws-clients.js'
import { byteLength } from './fit-json.js'
import { batches, codeIsThrottling, codeIsTransient, sendWithRetries, type AttemptOutcome } from './retry.js'
import { failureOf, type DeliveryFailure, type DeliverySink, type SinkContext, type SinkOutcome } from './sink.js'

/** BatchImportFindings: at most 100 findings, 240 KB per finding and 6 MB per call. */
export const SECURITYHUB_BATCH_FINDINGS = 100
export const SECURITYHUB_FINDING_BYTES = 240 * 1024
export const SECURITYHUB_CALL_BYTES = 6 * 1024 * 1024

/** The ASFF mapping (emit/formats): a finding as BatchImportFindings takes it, for the Security Hub of `region`. */
export type AsffMapping = (f: Finding, where: { region: string }) => AwsSecurityFinding

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
 * `securityhub`: BatchImportFindings in the region of the profile or environment. Batches hold one account's
 * findings each, so a refused account fails alone. The ASFF Id is the finding id and the product ARN is fixed
 * per account and region, so importing the same finding again updates it, never duplicates it.
 */
export class SecurityHubSink implements DeliverySink {
  readonly destination = 'securityhub'
  private readonly client: SecurityHubClient

  constructor(
    private readonly toAsff: AsffMapping,
    opts: AwsClientOptions,
    readonly minSeverity?: Severity,
  ) {
    this.client = securityHubClient(opts)
  }

  private async attempt(batch: Item[]): Promise<AttemptOutcome> {
    const res = await this.client.send(commands.batchImportFindings({ Findings: batch.map((i) => i.asff) }))
    const failed = new Map((res.FailedFindings ?? []).map((f) => [f.Id, f]))
    return batch.map((i) => {
      const f = failed.get(i.asff.Id)
      if (!f) return undefined
      const code = f.ErrorCode ?? 'Failed'
      return { code, message: f.ErrorMessage ?? code, retryable: codeIsThrottling(code) || codeIsTransient(code), throttled: codeIsThrottling(code) }
    })
  }

  async deliver(findings: readonly Finding[], ctx: SinkContext): Promise<SinkOutcome> {
    const outcome: SinkOutcome = { sent: [], failed: [], retries: 0 }
    const fail = (f: Finding, code: string, message: string): void => {
      const failed = failureOf(f, code, message)
      outcome.failed.push(failed)
      ctx.onFailure(this.destination, failed.failure)
    }
    if (findings.length === 0) return outcome
    let region: string
    try {
      region = await this.client.config.region()
    } catch (e) {
      for (const f of findings) fail(f, 'NoRegion', `no region for Security Hub (set AWS_REGION or the profile's region): ${(e as Error).message}`)
      return outcome
    }
    const byAccount = new Map<string, Item[]>()
    for (const f of findings) {
      if (!f.account) {
        fail(f, 'NoAccount', 'the finding names no account, and an ASFF finding must (AwsAccountId)')
        continue
      }
      const asff = this.toAsff(f, { region })
      const bytes = byteLength(JSON.stringify(asff))
      if (bytes > SECURITYHUB_FINDING_BYTES) {
        fail(f, 'TooLarge', `the ASFF finding is ${bytes} bytes, over Security Hub's 240 KB per finding`)
        continue
      }
      const list = byAccount.get(f.account) ?? []
      list.push({ finding: f, asff, bytes })
      byAccount.set(f.account, list)
    }
    for (const [account, items] of byAccount) {
      let refused: DeliveryFailure | undefined
      for (const batch of batches(items, SECURITYHUB_BATCH_FINDINGS, SECURITYHUB_CALL_BYTES, (i) => i.bytes)) {
        // Once Security Hub refused this account's findings, its other batches would be refused the same way.
        if (refused) {
          for (const i of batch) fail(i.finding, refused.code, refused.message)
          continue
        }
        const r = await sendWithRetries(batch, (b) => this.attempt(b), ctx.retry, ctx.signal)
        outcome.retries += r.retries
        outcome.sent.push(...r.sent.map((i) => i.finding))
        for (const { item, failure } of r.failed) {
          let message = failure.message
          if (/AccessDenied/i.test(failure.code)) {
            const why = accountMismatch(account, failure.message)
            if (why) message = `${failure.message} (${why})`
            refused = { findingId: '', ruleId: '', code: failure.code, message }
          }
          fail(item.finding, failure.code, message)
        }
      }
    }
    return outcome
  }

  close(): void {
    this.client.destroy()
  }
}
