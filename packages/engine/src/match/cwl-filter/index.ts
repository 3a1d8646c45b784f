/** CloudWatch Logs filter patterns with AWS's semantics: parse, compile, test like TestMetricFilter. */
export type { CwlAst } from './ast.js'
export { parseCwlFilter } from './parser.js'
export type { CwlFilter, CompileOptions, MessageResult } from './filter.js'
export { DEFAULT_WILDCARD } from './filter.js'
export type { WildcardMode } from './wildcard.js'
export { compileCwlFilter, testMetricFilter } from './compile.js'
export type { TestMetricFilterMatch } from './compile.js'
