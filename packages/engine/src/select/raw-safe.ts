/**
 * Characters that appear unchanged in any JSON serialisation of a string. JSON writers may escape `/` (`\/`),
 * HTML-sensitive characters (`<`, `>`, `&`, `'`, `=`, `+` in some encoders) and anything non-ASCII (`\uXXXX`), so
 * a literal containing any of those could be absent from the raw text of a record that matches.
 */
export const RAW_SAFE = /^[A-Za-z0-9 ._:@-]+$/

/** RAW_SAFE per ASCII byte (1: safe), for byte scanners. */
export const RAW_SAFE_BYTE: Uint8Array = Uint8Array.from({ length: 128 }, (_, c) => (RAW_SAFE.test(String.fromCharCode(c)) ? 1 : 0))
