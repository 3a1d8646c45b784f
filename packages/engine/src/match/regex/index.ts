export type { CharSet, RegexFlags, RegexNode } from './ast.js'
export { char, complement, DIGIT_RANGES, WORD_RANGES } from './ast.js'
export { LinearRegex } from './linear-regex.js'
export { MAX_PROGRAM_SIZE, RegexTooLargeError } from './program.js'
