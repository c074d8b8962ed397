/**
 * The instance's places for executions (MAX_IN_FLIGHT), shared between portals. A portal alone may take all but a
 * tenth of them, so a portal that arrives while another floods still gets in; once several portals want places,
 * none may take more than an equal share while the others wait (a portal refused in the last minute counts as
 * waiting). A portal above its share keeps what it holds (those calls run to their end) but gets no more until it
 * is back under it. Only new deliveries are refused: work already accepted (resumed at start) always takes a place.
 */

export type Refusal = 'instance' | 'portal'

export type AdmissionAnswer =
  | { readonly admitted: true, readonly release: () => void }
  | { readonly admitted: false, readonly reason: Refusal, readonly message: string }

export interface Admission {
  /** A place for one execution of the portal, released when the execution's work ends; or why there is none. */
  admit (portalId: number): AdmissionAnswer
  /** A place taken whatever the limits (a resumed execution was accepted by an earlier process). */
  take (portalId: number): () => void
  /** Places held by the instance. */
  readonly size: number
  /** Places held by one portal. */
  held (portalId: number): number
}

export interface AdmissionSettings {
  readonly maxInFlight: number
  readonly clock: () => number
}

/** How long a refused portal counts as waiting: longer than HubSpot's retries of a 429 take to come back. */
export const WAITING_MEMORY_MS = 60_000

export function createAdmission (settings: AdmissionSettings): Admission {
  const { maxInFlight, clock } = settings
  /** Kept free for other portals while one portal is alone: a tenth, at least one (none when only one fits). */
  const headroom = maxInFlight > 1 ? Math.max(1, Math.ceil(maxInFlight / 10)) : 0
  const places = new Map<number, number>()
  const waiting = new Map<number, number>()
  let size = 0

  function others (portalId: number): number {
    const now = clock()
    const contenders = new Set<number>()
    for (const holder of places.keys()) if (holder !== portalId) contenders.add(holder)
    for (const [waiter, since] of waiting) {
      if (now - since > WAITING_MEMORY_MS) waiting.delete(waiter)
      else if (waiter !== portalId) contenders.add(waiter)
    }
    return contenders.size
  }

  function take (portalId: number): () => void {
    places.set(portalId, (places.get(portalId) ?? 0) + 1)
    size++
    waiting.delete(portalId)
    let released = false
    return () => {
      if (released) return
      released = true
      size--
      const left = (places.get(portalId) ?? 1) - 1
      if (left > 0) places.set(portalId, left)
      else places.delete(portalId)
    }
  }

  return {
    admit (portalId) {
      const competing = others(portalId)
      const share = competing === 0 ? maxInFlight - headroom : Math.floor(maxInFlight / (competing + 1))
      const held = places.get(portalId) ?? 0
      if (held >= Math.max(1, share)) {
        return {
          admitted: false,
          reason: 'portal',
          message: competing === 0
            ? `Portal ${portalId} is running ${held} executions on this instance, the most one portal may while others could arrive; try again shortly.`
            : `Portal ${portalId} is running ${held} executions on this instance, its fair share while ${competing} other portal${competing === 1 ? '' : 's'} also run executions; try again shortly.`
        }
      }
      if (size >= maxInFlight) {
        // Refused below its share: it now counts as waiting, so the portals above theirs get no more places.
        waiting.set(portalId, clock())
        return { admitted: false, reason: 'instance', message: `This instance is running ${maxInFlight} executions already; try again shortly.` }
      }
      return { admitted: true, release: take(portalId) }
    },
    take,
    get size () { return size },
    held: portalId => places.get(portalId) ?? 0
  }
}
