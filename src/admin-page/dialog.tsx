/**
 * A modal <dialog> opened with showModal() while it is rendered: Escape and Cancel close it, and focus goes
 * back to the control that opened it.
 */

import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'

interface DialogProps {
  readonly titleId: string
  readonly onClose: () => void
  readonly children: ComponentChildren
  readonly describedBy?: string
}

export function Dialog ({ titleId, onClose, children, describedBy }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null)
  const close = useRef(onClose)
  close.current = onClose

  useEffect(() => {
    const element = dialog.current
    if (element === null) return
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const closed = () => { close.current() }
    element.addEventListener('close', closed)
    if (!element.open) element.showModal()
    return () => {
      element.removeEventListener('close', closed)
      if (element.open) element.close()
      // After the page has re-rendered, so an opener replaced in the same update is not focused while detached.
      window.setTimeout(() => { if (opener?.isConnected === true) opener.focus() }, 0)
    }
  }, [])

  return (
    <dialog ref={dialog} class='dialog' aria-labelledby={titleId} aria-describedby={describedBy}>
      {children}
    </dialog>
  )
}

interface ConfirmDialogProps {
  readonly titleId: string
  readonly title: string
  readonly text: string
  readonly confirmLabel: string
  readonly busy: boolean
  readonly error: string | undefined
  readonly onConfirm: () => void
  readonly onCancel: () => void
}

/** "Are you sure?" with a named confirm button and Cancel; the API's error stays in the dialog. */
export function ConfirmDialog ({ titleId, title, text, confirmLabel, busy, error, onConfirm, onCancel }: ConfirmDialogProps) {
  const textId = `${titleId}-text`
  return (
    <Dialog titleId={titleId} onClose={onCancel} describedBy={textId}>
      <h2 id={titleId}>{title}</h2>
      <p id={textId}>{text}</p>
      {error === undefined ? null : <p class='error' role='alert'>{error}</p>}
      <div class='actions'>
        <button type='button' class='danger' disabled={busy} onClick={onConfirm}>{confirmLabel}</button>
        <button type='button' autofocus onClick={onCancel}>Cancel</button>
      </div>
    </Dialog>
  )
}
