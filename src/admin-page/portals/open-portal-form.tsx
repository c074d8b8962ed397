import { useState } from 'preact/hooks'
import { navigate, parsePortalId, portalHref } from '../router.ts'

/** Opens any portal by id: one with no connection yet is not in the list. */
export function OpenPortalForm () {
  const [text, setText] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)

  const submit = (event: Event) => {
    event.preventDefault()
    const portalId = parsePortalId(text)
    if (portalId === undefined) {
      setError('Enter the portal id: the HubSpot account number, digits only.')
      return
    }
    setError(undefined)
    navigate(portalHref(portalId))
  }

  return (
    <form class='inline-form' onSubmit={submit} noValidate>
      <div class='field'>
        <label for='open-portal-id'>Portal id</label>
        <input
          id='open-portal-id' type='text' inputMode='numeric' autocomplete='off' required value={text}
          onInput={event => { setText(event.currentTarget.value) }}
          aria-invalid={error === undefined ? undefined : 'true'}
          aria-describedby={error === undefined ? undefined : 'open-portal-error'}
        />
        {error === undefined ? null : <p id='open-portal-error' class='error' role='alert'>{error}</p>}
      </div>
      <button type='submit'>Open portal</button>
    </form>
  )
}
