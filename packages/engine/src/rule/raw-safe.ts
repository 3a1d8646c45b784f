/**
 * Characters that appear unchanged in any JSON serialisation of a string. JSON writers may escape `/` (`\/`),
 * HTML-sensitive characters (`<`, `>`, `&`, `'`, `=`, `+` in some encoders) and anything non-ASCII (`\uXXXX`), so
 * a literal containing any of those could be absent from the raw text of a record that matches.
 */
export const RAW_SAFE = /^[A-Za-z0-9 ._:@-]+$/
