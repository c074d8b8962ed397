/** A field's error as text right under it, announced, and tied to the field with aria-describedby. */
export function FieldError ({ id, message }: { readonly id: string, readonly message: string | undefined }) {
  if (message === undefined) return null
  return <p id={`${id}-error`} class='error' role='alert'>{message}</p>
}

/** aria-invalid and aria-describedby for a field with an optional error and an optional `<id>-hint`. */
export function describedBy (id: string, error: string | undefined, hint = false) {
  const ids = [error === undefined ? undefined : `${id}-error`, hint ? `${id}-hint` : undefined].filter(part => part !== undefined)
  return {
    'aria-invalid': error === undefined ? undefined : 'true' as const,
    'aria-describedby': ids.length === 0 ? undefined : ids.join(' ')
  }
}
