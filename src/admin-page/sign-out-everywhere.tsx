import { useState } from 'preact/hooks'
import { errorMessage, session } from './api.ts'
import { ConfirmDialog } from './dialog.tsx'

interface SignOutEverywhereProps {
  /** Every session ended, this one too: `ended` were live. */
  readonly onEnded: (ended: number) => void
}

/** The header's "Sign out everywhere": after confirming, every admin page session ends, in every browser. */
export function SignOutEverywhere ({ onEnded }: SignOutEverywhereProps) {
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)

  const endAll = async () => {
    setBusy(true)
    setError(undefined)
    try {
      onEnded(await session.signOutEverywhere())
    } catch (caught) {
      setError(errorMessage(caught))
      setBusy(false)
    }
  }

  return (
    <>
      <button type='button' onClick={() => { setOpen(true) }}>Sign out everywhere</button>
      {open
        ? (
          <ConfirmDialog
            titleId='sign-out-everywhere' title='Sign out everywhere'
            text='End every admin page session, in every browser, this one included? Each signs in again with the admin token.'
            confirmLabel='End every session' busy={busy} error={error}
            onConfirm={() => { void endAll() }} onCancel={() => { setOpen(false); setError(undefined) }}
          />
          )
        : null}
    </>
  )
}
