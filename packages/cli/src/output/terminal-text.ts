/**
 * Text from logs (user agents, ARNs, S3 keys, file names, rule ids) must not drive the terminal it is printed
 * on: an ESC sequence can clear the screen, retitle the window or paint a forged table row, a carriage return
 * or newline can hide or invent a line, a bidi override can reorder what is shown. Every human-readable writer
 * passes such text through escapeControls; JSON output goes through jsonForTerminal, which keeps the value.
 */

// C0 controls, DEL, C1 controls (0x9b is an 8-bit CSI), line/paragraph separators, bidi embeddings,
// overrides and isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const CONTROL_TEST = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function visible(c: string): string {
  const code = c.charCodeAt(0)
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
}

/** `s` with every control character written out visibly (`\x1b`, `\n`, `\u202e`); other text unchanged. */
export function escapeControls(s: string): string {
  return CONTROL_TEST.test(s) ? s.replace(CONTROL, visible) : s
}

// What JSON.stringify leaves raw but a terminal may act on. These only occur inside JSON strings.
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const JSON_RAW_TEST = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

/**
 * JSON text (from JSON.stringify, which already escapes C0 controls) with DEL, C1, separators and bidi
 * controls as `\uXXXX` escapes: the same JSON value, inert on a terminal.
 */
export function jsonForTerminal(json: string): string {
  return JSON_RAW_TEST.test(json) ? json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json
}
