import { portalsHref } from './router.ts'

export function NotFound () {
  return (
    <main id='main'>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>There is no screen at this address. <a href={portalsHref()}>Go to the start page</a>.</p>
    </main>
  )
}
