/**
 * A scan worker thread (scan/worker-pool.ts starts it): compiles the rules once from their specs, then reads,
 * inflates, splits, selects and matches each object it is sent, by reference, and answers with the built findings
 * and hits, the errors, the counts and the exposure closings. It holds no state across objects beyond the scanner's
 * caches: dedup, severity, correlation, suppression, alarms and the sinks stay on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { BuiltFinding } from '../emit/finding.js'
import { packFindings } from '../emit/packed-findings.js'
import { compileRule } from '../match/compile.js'
import { wasmModule } from '../read/json-scan-wasm.js'
import { objectFromRef } from '../source/object-from-ref.js'
import { objectScanner } from './scanner-setup.js'
import {
  FINDINGS_PER_MESSAGE,
  outcomeToWire,
  toWire,
  transferable,
  type ScanReply,
  type ScanRequest,
  type WorkerSetup,
} from './worker-protocol.js'

const setup = workerData as WorkerSetup
const scanner = objectScanner(
  setup.rules.map((r) => compileRule(r.spec, r.options)),
  setup.scanner,
)
const port = parentPort!
// Compiled now rather than on the first object's first chunk: that object's S3 GETs, and those of every object
// sent with it, would otherwise wait out the compile inside their deadlines.
wasmModule()

const send = (r: ScanReply): void => port.postMessage(r, transferable(r))

async function answer({ id, ref }: ScanRequest): Promise<void> {
  let reply: ScanReply
  try {
    const batches = { size: FINDINGS_PER_MESSAGE, send: (findings: BuiltFinding[]) => send({ id, findings: packFindings(findings) }) }
    reply = { id, outcome: outcomeToWire(await scanner.scan(await objectFromRef(ref), batches)) }
  } catch (e) {
    reply = { id, thrown: toWire(e) }
  }
  send(reply)
}

port.on('message', (m: ScanRequest) => void answer(m))
