/**
 * Where a scheduled scan keeps its memory between runs: one state document and one lease. Two backends implement
 * it: a local directory (`local-store.ts`: an exclusively created lock file, rename-into-place writes) and an S3
 * prefix (conditional writes: `If-None-Match: *` creates the lease, `If-Match: <etag>` replaces the state).
 *
 * The store knows nothing of what the document says (`state-model.ts` does): it moves bytes, versions them and
 * refuses a write whose expected version is not the current one, so two runs can never both commit.
 */

/** Who holds (or held) the lease: enough for a person to find the process, and for the next run to judge it stale. */
export interface LeaseHolder {
  /** Unique per run (random); the holder a `renew()`/`release()` checks it still is. */
  runId: string
  host: string
  pid: number
  /** ISO 8601, UTC. */
  startedAt: string
  /** ISO 8601, UTC. A lease past this instant may be taken over (S3); a local lock is judged by its process instead. */
  expiresAt: string
}

export interface Lease {
  readonly holder: LeaseHolder
  /** Pushes `expiresAt` forward; throws `LeaseHeldError` when another run has taken the lease meanwhile. */
  renew(): Promise<void>
  /** Gives the lease up when it is still ours; never removes another run's lease. Idempotent. */
  release(): Promise<void>
}

export interface StateDocument {
  body: Buffer
  /** Opaque version token (an ETag on S3, a content hash locally): what `write` compares against. */
  version: string
}

export interface AcquireOptions {
  /** Told before a stale lease (its process gone, or past `expiresAt`) is taken over, so the CLI can warn. */
  onTakeover?(stale: LeaseHolder): void
}

export interface StateStore {
  /** The directory or `s3://bucket/prefix`, for messages. */
  readonly location: string
  /** The state document and its version, or null when no state was ever written (or it was reset). */
  read(): Promise<StateDocument | null>
  /**
   * Compare-and-swap: replaces the document only if its current version is `expected` (null: only if there is none),
   * durably, and returns the new version. Throws `StateConflictError` otherwise, changing nothing.
   */
  write(body: Buffer, expected: string | null): Promise<string>
  /** Takes the lease for one run. Throws `LeaseHeldError` naming the live holder; never waits. */
  acquire(holder: LeaseHolder, opts?: AcquireOptions): Promise<Lease>
  /** The current holder, live or stale, for `state show`; null when nobody holds it. */
  lease(): Promise<LeaseHolder | null>
  /** Deletes the state document and the lease (`state reset`). */
  reset(): Promise<void>
}
