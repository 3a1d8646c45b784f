import { RuleSyntaxError } from '../../errors.js'

/**
 * Where in a Sigma rule file a problem lies, as something the loader can find in the file's text (the YAML
 * parsers keep no positions): a detection key as written (`eventName|badmod`), an offset into the condition, or
 * a top-level key (`correlation`).
 */
export type SigmaAnchor = { readonly key: string } | { readonly condition: number; readonly index?: number } | { readonly top: string }

/**
 * A Sigma rule that does not compile. `unsupported`: valid Sigma that Trailscan does not run (a correlation, an
 * aggregation, a modifier it does not know, a placeholder); otherwise the rule itself is wrong (an undefined
 * search identifier, a regular expression that does not parse). Either way the rule is skipped and the scan
 * goes on; `rules check` tells the two apart.
 */
export class SigmaError extends RuleSyntaxError {
  readonly unsupported: boolean
  readonly anchor: SigmaAnchor | undefined
  constructor(message: string, opts: { unsupported?: boolean; anchor?: SigmaAnchor } = {}) {
    super(message)
    this.unsupported = opts.unsupported === true
    this.anchor = opts.anchor
  }
}

export const unsupported = (message: string, anchor?: SigmaAnchor): SigmaError =>
  new SigmaError(message, { unsupported: true, ...(anchor ? { anchor } : {}) })

export const invalid = (message: string, anchor?: SigmaAnchor): SigmaError => new SigmaError(message, anchor ? { anchor } : {})
