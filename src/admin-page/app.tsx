import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { errorMessage, onSessionEnded, session as sessionApi, setCsrfToken } from './api.ts'
import type { Session } from './api-types.ts'
import { InstanceAuditScreen } from './audit/audit-screen.tsx'
import { NotFound } from './not-found.tsx'
import { PortalPage } from './portal/portal-page.tsx'
import { PortalsList } from './portals/portals-list.tsx'
import { auditHref, portalsHref, useRoute, type Route } from './router.ts'
import { SessionContext } from './session-context.ts'
import { SignIn } from './sign-in.tsx'
import { SignOutEverywhere } from './sign-out-everywhere.tsx'

const SESSION_ENDED = 'Your session has ended; sign in again.'
/** setTimeout takes at most about 24.8 days. */
const LONGEST_TIMER_MS = 2_147_483_647

type State =
  | { readonly kind: 'checking' }
  | { readonly kind: 'signed-out', readonly notice?: string }
  | { readonly kind: 'signed-in', readonly session: Session }

export function App () {
  const [state, setState] = useState<State>({ kind: 'checking' })
  const [signOutError, setSignOutError] = useState<string | undefined>(undefined)
  const route = useRoute()

  const signedIn = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken)
    setState({ kind: 'signed-in', session })
  }, [])

  const signedOut = useCallback((notice?: string) => {
    setCsrfToken(null)
    setState(notice === undefined ? { kind: 'signed-out' } : { kind: 'signed-out', notice })
  }, [])

  useEffect(() => {
    onSessionEnded(() => { signedOut(SESSION_ENDED) })
    sessionApi.read().then(
      current => { if (current === null) signedOut(); else signedIn(current) },
      (error: unknown) => { signedOut(errorMessage(error)) }
    )
  }, [signedIn, signedOut])

  const expiresAt = state.kind === 'signed-in' ? state.session.expiresAt : undefined
  useEffect(() => {
    if (expiresAt === undefined) return
    const left = Date.parse(expiresAt) - Date.now()
    if (Number.isNaN(left)) return
    const timer = window.setTimeout(() => { signedOut(SESSION_ENDED) }, Math.min(Math.max(left, 0), LONGEST_TIMER_MS))
    return () => { window.clearTimeout(timer) }
  }, [expiresAt, signedOut])

  if (state.kind === 'checking') return <main id='main' class='loading'><p>Loading…</p></main>
  if (state.kind === 'signed-out') return <SignIn notice={state.notice} onSignedIn={signedIn} />

  const signOut = async () => {
    setSignOutError(undefined)
    try {
      await sessionApi.signOut()
      signedOut()
    } catch (error) {
      setSignOutError(`Could not sign out: ${errorMessage(error)}`)
    }
  }

  return (
    <SessionContext.Provider value={state.session}>
      <a class='skip-link' href='#main' onClick={skipToContent}>Skip to content</a>
      <header class='site-header'>
        <span class='brand'>LLM actions admin</span>
        <nav aria-label='Main'>
          <a href={portalsHref()} aria-current={route.screen === 'portals' ? 'page' : undefined}>Portals</a>
          <a href={auditHref()} aria-current={route.screen === 'audit' ? 'page' : undefined}>Audit</a>
        </nav>
        <button type='button' onClick={() => { void signOut() }}>Sign out</button>
        <SignOutEverywhere onEnded={ended => { signedOut(`Signed out everywhere: ${ended} ${ended === 1 ? 'session' : 'sessions'} ended, this one included.`) }} />
      </header>
      {signOutError === undefined ? null : <p class='error banner' role='alert'>{signOutError}</p>}
      <Screen route={route} />
    </SessionContext.Provider>
  )
}

function Screen ({ route }: { readonly route: Route }) {
  const key = route.screen === 'portal' ? `${route.portalId}/${route.tab}` : route.screen
  const first = useRef(true)
  // Moves focus to the new screen's heading after navigation, so keyboard and screen-reader users start there.
  useEffect(() => {
    if (first.current) { first.current = false; return }
    document.querySelector<HTMLElement>('#main h1')?.focus()
  }, [key])

  if (route.screen === 'portals') return <PortalsList />
  if (route.screen === 'audit') return <InstanceAuditScreen />
  if (route.screen === 'portal') return <PortalPage key={route.portalId} portalId={route.portalId} tab={route.tab} />
  return <NotFound />
}

/** The skip link targets #main without changing the hash the router reads. */
function skipToContent (event: MouseEvent) {
  event.preventDefault()
  const main = document.getElementById('main')
  main?.setAttribute('tabindex', '-1')
  main?.focus()
}
