// Types for crafted-layouts.mjs, which stays JavaScript so that benchmarks/ can import it without a build.

export type CraftedRecord = Record<string, unknown>

export function cloudTrailRecord(name: string, id: string, extra?: Record<string, unknown>): CraftedRecord
export function compactBody(records: readonly unknown[]): string
/** The nested-anchor shapes, by the relsec names. */
export const anchorCases: Record<string, CraftedRecord[]>
/** Every layout of each case the readers accept, as bytes. */
export function layouts(records: readonly unknown[]): Record<string, Buffer>
/** Concatenated documents (relsec gen_trunc.py concat-docs-*). */
export const concatCases: Record<string, Buffer>
export function topLevelValues(text: string): unknown[]
export function parsedRecords(bytes: Buffer): unknown[]
