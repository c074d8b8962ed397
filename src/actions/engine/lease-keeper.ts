import type { ExecutionsRepository } from '../../../db/repositories/executions-repository.ts'
import type { InstancesRepository } from '../../../db/repositories/instances-repository.ts'
import type { SetTimer } from '../../../plugins/timers.ts'
import type { ActionLogger } from '../action-context.ts'

export interface LeaseKeeperOptions {
  readonly executions: Pick<ExecutionsRepository, 'renewLeases' | 'releaseLeases'>
  readonly instances: Pick<InstancesRepository, 'register' | 'heartbeat' | 'stopped'>
  /** This instance's name (`INSTANCE_ID`), the owner written on every lease it takes. */
  readonly owner: string
  readonly version: string
  /** EXECUTION_LEASE_MS. */
  readonly leaseMs: number
  readonly clock: () => number
  readonly setTimer: SetTimer
  readonly log: ActionLogger
  /** Executions this instance is working on now (the heartbeat's `running`). */
  readonly running: () => number
  /** The ids this instance believes it holds; those a renewal no longer finds are passed to `lost`. */
  readonly held: () => Iterable<number>
  /** Another instance took these over (this one was paused or cut off past its lease): stop working on them. */
  readonly lost: (executionIds: readonly number[]) => void
  /** Looks for work to take over (expired leases, completions due); run at every tick, after the renewal if one is due. */
  readonly look: () => Promise<void>
  /** Housekeeping run about once a minute (holds left on finished executions). */
  readonly sweep: () => Promise<void>
  /**
   * The database is this instance's alone (SQLite): nobody else can take its work or leave any, so it neither renews
   * nor looks, and only writes its heartbeat (every third of the lease) and sweeps.
   */
  readonly alone?: boolean
}

export interface LeaseKeeper {
  /** Registers the instance and starts renewing and looking. */
  start (): Promise<void>
  /** Stops the ticks (a shutdown); what is held stays held until `release`. */
  stop (): void
  /** Hands every lease back and marks the instance stopped, so the others take its work over at their next look. */
  release (): Promise<void>
  /** Runs one tick now (tests, and a shutdown's last look). */
  tick (): Promise<void>
}

/** How often an instance looks for work to take over: a second, or more often with a short lease. */
export function lookIntervalMs (leaseMs: number): number {
  return Math.max(100, Math.min(1_000, Math.floor(leaseMs / 4)))
}

const SWEEP_INTERVAL_MS = 60_000

/**
 * Keeps this instance's leases alive: renews them every third of EXECUTION_LEASE_MS (with the heartbeat that
 * `/api/instances` shows), tells the engine which executions it lost, and looks for work other instances left
 * (their leases ran out) about every second. A tick never overlaps the last one; a failed tick (the database away)
 * is logged and the next one tries again.
 */
export function createLeaseKeeper (options: LeaseKeeperOptions): LeaseKeeper {
  const { owner, leaseMs, clock, log } = options
  const renewEveryMs = Math.floor(leaseMs / 3)
  let lastRenewal = Number.NEGATIVE_INFINITY
  let lastSweep = Number.NEGATIVE_INFINITY
  let cancel: (() => void) | undefined
  let running: Promise<void> | undefined
  let stopped = false

  async function renew (): Promise<void> {
    const now = clock()
    if (options.alone === true) {
      lastRenewal = now
      await options.instances.heartbeat(owner, now, options.running())
      return
    }
    const believed = [...options.held()]
    const renewed = await options.executions.renewLeases(owner, now + leaseMs, believed)
    lastRenewal = now
    const lost = believed.filter(id => !renewed.has(id))
    if (lost.length > 0) {
      log.warn({ executionIds: lost.slice(0, 20), count: lost.length }, 'another instance took over executions whose lease this one let run out; they stop here')
      options.lost(lost)
    }
    await options.instances.heartbeat(owner, now, options.running())
  }

  async function tick (): Promise<void> {
    if (running !== undefined) return await running
    running = (async () => {
      try {
        if (clock() - lastRenewal >= renewEveryMs) await renew()
        if (options.alone !== true) await options.look()
        if (clock() - lastSweep >= SWEEP_INTERVAL_MS) {
          lastSweep = clock()
          await options.sweep()
        }
      } catch (error) {
        log.error({ error: (error as Error).message }, 'could not renew leases or look for work; trying again')
      }
    })().finally(() => { running = undefined })
    return await running
  }

  function schedule (): void {
    if (stopped) return
    cancel = options.setTimer(() => { void tick().finally(schedule) }, options.alone === true ? renewEveryMs : lookIntervalMs(leaseMs))
  }

  return {
    async start () {
      // Leases an earlier process with this INSTANCE_ID left are work nobody runs now: takeable at once, by anyone.
      await options.executions.releaseLeases(owner)
      await options.instances.register({ instanceId: owner, version: options.version, at: clock() })
      await tick()
      schedule()
    },
    stop () {
      stopped = true
      cancel?.()
    },
    async release () {
      this.stop()
      if (running !== undefined) await running
      const released = await options.executions.releaseLeases(owner)
      await options.instances.stopped(owner, clock())
      if (released > 0) log.info({ released }, 'handed leases back to the other instances')
    },
    tick
  }
}
