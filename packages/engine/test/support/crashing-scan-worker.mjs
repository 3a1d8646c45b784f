/**
 * The real scan worker (the built one), except that it dies on objects named for it: `exit-worker` in the path
 * ends the thread (process.exit in a worker), `throw-in-worker` throws an uncaught error from the message
 * listener. For the pool's crash handling (scan-workers.test.ts).
 */
import { parentPort } from 'node:worker_threads'

const on = parentPort.on.bind(parentPort)
parentPort.on = (event, listener) =>
  on(event, (m) => {
    if (event === 'message' && m.ref.uri.includes('exit-worker')) process.exit(7)
    if (event === 'message' && m.ref.uri.includes('throw-in-worker')) throw new Error('thrown in the worker')
    listener(m)
  })
await import('../../dist/scan/scan-worker.js')
