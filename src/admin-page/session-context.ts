import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { Session } from './api-types.ts'

export const SessionContext = createContext<Session | null>(null)

/** The signed-in session; screens under the app's header only render while there is one. */
export function useSession (): Session {
  const current = useContext(SessionContext)
  if (current === null) throw new Error('No session: this screen renders only when signed in.')
  return current
}
