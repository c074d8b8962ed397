import { setTimeout as sleep } from 'node:timers/promises'
import type { BenchSettings } from './bench-settings.ts'
import { measure, type Target } from './load.ts'
import { residentMemory, type Child } from './processes.ts'

/**
 * The service's resident memory before any load, halfway through `executions` fresh executions at high
 * concurrency, and after all of them. Growth between the two later readings is what a leak looks like; the first
 * step includes warming up (JIT code, caches, SQLite's page cache), which is not one.
 */

export interface MemoryReading {
  readonly executions: number
  readonly rssBytes: number
}

export interface MemoryResult {
  readonly readings: readonly MemoryReading[]
  /** Executions per second over the whole phase, at `concurrency`. */
  readonly requestsPerSecond: number
  readonly concurrency: number
}

/** Lets requests still in flight finish and the log be written before memory is read. */
const SETTLE_MS = 1000
/** Each batch is signed just before it is sent and must be used within the signature's five minutes. */
const BATCH_SECONDS = 30
const FIRST_BATCH = 2000

export async function runMemoryPhase (settings: BenchSettings, service: Child, target: Target, log: (line: string) => void): Promise<MemoryResult> {
  const readings: MemoryReading[] = []
  const read = async (executions: number): Promise<void> => {
    await sleep(SETTLE_MS)
    const rssBytes = residentMemory(service.pid)
    readings.push({ executions, rssBytes })
    log(`resident memory after ${executions} executions: ${(rssBytes / 2 ** 20).toFixed(1)} MiB`)
  }

  await read(0)
  const checkpoints = [Math.floor(settings.executions / 2), settings.executions]
  let done = 0
  let seconds = 0
  let batch = FIRST_BATCH
  for (const checkpoint of checkpoints) {
    while (done < checkpoint) {
      const amount = Math.min(batch, checkpoint - done)
      target.requests.prepare(amount)
      const measurement = await measure(target, { connections: settings.highConcurrency, amount })
      done += measurement.ok
      seconds += measurement.seconds
      batch = Math.max(1000, Math.min(25_000, Math.round(measurement.requestsPerSecond * BATCH_SECONDS)))
    }
    await read(done)
  }
  return { readings, requestsPerSecond: done / seconds, concurrency: settings.highConcurrency }
}
