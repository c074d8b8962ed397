import { useRef, useState } from 'preact/hooks'
import { errorMessage, session } from './api.ts'
import type { Session } from './api-types.ts'

interface SignInProps {
  /** Why the form is shown again, e.g. the session ended. */
  readonly notice: string | undefined
  readonly onSignedIn: (session: Session) => void
}

export function SignIn ({ notice, onSignedIn }: SignInProps) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    if (token.trim() === '') {
      setError('Enter the admin token.')
      input.current?.focus()
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      onSignedIn(await session.signIn(token.trim()))
    } catch (caught) {
      setError(errorMessage(caught))
      setBusy(false)
      input.current?.select()
    }
  }

  const message = error ?? notice
  return (
    <main id='main' class='sign-in'>
      <h1>LLM actions admin</h1>
      <form class='card' onSubmit={submit} noValidate>
        <div class='field'>
          <label for='admin-token'>Admin token</label>
          <input
            ref={input} id='admin-token' type='password' name='token' autocomplete='current-password' required
            value={token} onInput={event => { setToken(event.currentTarget.value) }}
            aria-invalid={error === undefined ? undefined : 'true'} aria-describedby='admin-token-hint'
          />
          <p id='admin-token-hint' class='hint'>The ADMIN_TOKEN of this service (in data/secrets.json unless it is set in the environment).</p>
        </div>
        {message === undefined ? null : <p class='error' role='alert'>{message}</p>}
        <button type='submit' class='primary' disabled={busy}>Sign in</button>
      </form>
    </main>
  )
}
