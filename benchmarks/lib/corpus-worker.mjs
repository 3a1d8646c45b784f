// Worker for ensureCorpus: writes objects from, from+step, ... and posts their stats back.
import { parentPort, workerData } from 'node:worker_threads'
import { writeObject } from './corpus.mjs'

const { dir, name, seed, perObject, from, step, objects } = workerData
const rows = []
for (let i = from; i < objects; i += step) rows.push(await writeObject(dir, name, seed, i, perObject))
parentPort.postMessage(rows)
