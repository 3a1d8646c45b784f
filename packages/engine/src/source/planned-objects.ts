import { stat } from 'node:fs/promises'
import type { S3Client } from '@aws-sdk/client-s3'
import { SourceReadError, UsageError } from '../errors.js'
import { parseCloudTrailKey } from './key-layout.js'
import { localObject } from './local.js'
import { changeToken, type LogObject } from './log-object.js'
import { s3LogObject, type S3ObjectContext } from './s3-object.js'
import { isS3Uri, parseS3Uri } from './s3-uri.js'
import type { ShardPlan } from './shard-plan.js'

export interface PlannedObjectsOptions {
  /** Needed when the shard holds s3:// objects. */
  s3?: Omit<S3ObjectContext, 'bucket' | 'client'> & { client: S3Client }
}

/**
 * One shard of a plan as LogObjects, in listing order. Nothing is listed again: each object is read as the plan
 * recorded it, and one that changed since (another ETag; for a local file another size or modification time) is
 * reported as an error of that object, never scanned as if it were what the plan covered.
 */
export function plannedObjects(plan: ShardPlan, index: number, opts: PlannedObjectsOptions = {}): LogObject[] {
  const shard = plan.shards[index]
  if (!shard) throw new UsageError(`shard ${index} is not in the plan, which has shards 0 to ${plan.shards.length - 1}`)
  return shard.objects.map((p) => {
    if (isS3Uri(p.uri)) {
      if (!opts.s3) throw new UsageError(`the plan holds ${p.uri}, but no S3 client was given`)
      const { bucket, prefix: key } = parseS3Uri(p.uri)
      return s3LogObject({ ...opts.s3, bucket }, { key, size: p.size, ...(p.etag === null ? {} : { etag: p.etag, pinned: true }) })
    }
    return checkedLocal(p.uri, p.size, p.etag, p.byContent === true)
  })
}

/**
 * Every object of the plan as a scheduled scan's state judges it (state/state-ledger.ts): its uri, key and the
 * change token the plan listed, not what the object holds now. Merge marks these processed: what the shards read
 * is what the plan listed, or they reported it changed.
 */
export function plannedRefs(plan: ShardPlan): Pick<LogObject, 'uri' | 'size' | 'etag' | 'key'>[] {
  return plan.shards.flatMap((s) =>
    s.objects.map((p) => ({
      uri: p.uri,
      size: p.size,
      // The plan holds changeToken() of the listing: an ETag, or a local file's size:mtime, which judge compares as is.
      ...(p.etag === null ? {} : { etag: p.etag }),
      key: parseCloudTrailKey(isS3Uri(p.uri) ? parseS3Uri(p.uri).prefix : p.uri.replaceAll('\\', '/')),
    })),
  )
}

function checkedLocal(path: string, size: number, planned: string | null, byContent: boolean): LogObject {
  const o = localObject(path, size)
  if (byContent) o.byContent = true
  const check = async (): Promise<void> => {
    if (planned === null) return
    let now: string | null
    try {
      const st = await stat(path)
      now = changeToken({ size: st.size, mtime: st.mtime })
    } catch (e) {
      throw new SourceReadError(`cannot read file: ${(e as Error).message}`, { location: { object: path }, cause: e })
    }
    if (now !== planned)
      throw new SourceReadError(
        `${path} changed since it was planned (size:mtime ${planned}, now ${now}): not scanned; make the plan again`,
        {
          location: { object: path },
        },
      )
  }
  const plain = localObject(path, size)
  o.open = async () => {
    await check()
    return plain.open()
  }
  o.read = async (limit) => {
    await check()
    return plain.read!(limit)
  }
  return o
}
