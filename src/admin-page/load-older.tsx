import type { Pages } from './use-pages.ts'

/** The button under a paged table while older pages are left, and the error when one fails to load. */
export function LoadOlder ({ pages, label }: { readonly pages: Pages<unknown>, readonly label: string }) {
  return (
    <>
      {pages.moreError === undefined ? null : <p class='error' role='alert'>Could not load older entries: {pages.moreError}</p>}
      {pages.hasMore
        ? <button type='button' onClick={() => { void pages.loadMore() }} disabled={pages.loadingMore}>{label}</button>
        : null}
    </>
  )
}
