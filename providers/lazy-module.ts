/** A module imported on first use. Calling it gives the module; `loaded()` tells, without importing, whether it is in. */
export interface LazyModule<Module> {
  (): Promise<Module>
  /** The module once an import has succeeded; undefined before. Never starts an import. */
  loaded (): Module | undefined
}

/**
 * Defers a vendor SDK from boot to the first call that needs it: each SDK costs 6 to 17 MB and 50 to 160 ms to
 * evaluate, and a deployment should pay only for the vendors its connections use. The import runs once per process
 * and concurrent first calls share it. A failed import is forgotten, so the next call tries again instead of the
 * process carrying one bad moment (a package being reinstalled, a file-system hiccup) until it restarts.
 */
export function lazyModule<Module> (load: () => Promise<Module>): LazyModule<Module> {
  let pending: Promise<Module> | undefined
  let module: Module | undefined
  const get = (): Promise<Module> => {
    // Started from a resolved promise so that even a load() that throws synchronously settles after `pending` is set.
    pending ??= Promise.resolve().then(load).then(
      value => {
        module = value
        return value
      },
      (error: unknown) => {
        pending = undefined
        throw error
      }
    )
    return pending
  }
  return Object.assign(get, { loaded: () => module })
}
