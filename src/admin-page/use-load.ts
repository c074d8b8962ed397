/** Loads data for a screen: the latest answer wins, and `reload` fetches it again. */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { errorMessage } from './api.ts'

export interface Loaded<Data> {
  readonly data: Data | undefined
  readonly error: string | undefined
  readonly loading: boolean
  readonly reload: () => Promise<void>
  /** Replaces the data without a request, after a change the page made itself. */
  readonly replace: (data: Data) => void
}

export function useLoad<Data> (load: () => Promise<Data>, keys: readonly unknown[]): Loaded<Data> {
  const [data, setData] = useState<Data | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const latest = useRef(0)

  // `load` is a new function on every render: `keys` say when it loads something else.
  const run = useCallback(load, keys)

  const reload = useCallback(async () => {
    const ticket = ++latest.current
    setLoading(true)
    try {
      const value = await run()
      if (ticket !== latest.current) return
      setData(value)
      setError(undefined)
    } catch (caught) {
      if (ticket !== latest.current) return
      setError(errorMessage(caught))
    } finally {
      if (ticket === latest.current) setLoading(false)
    }
  }, [run])

  useEffect(() => {
    void reload()
    return () => { latest.current++ }
  }, [reload])

  const replace = useCallback((value: Data) => {
    latest.current++
    setData(value)
    setError(undefined)
    setLoading(false)
  }, [])

  return { data, error, loading, reload, replace }
}
