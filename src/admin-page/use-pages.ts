/**
 * A list the API pages back through (`next` is the `before` of the next page): the first page loads with
 * useLoad whenever `keys` change, and `loadMore` appends older pages. Pages asked for before the keys
 * changed are dropped when they arrive. `first` is the first page whole, for what an answer carries beside its
 * items (the economy queue's counts).
 */

import { useRef, useState } from 'preact/hooks'
import { errorMessage } from './api.ts'
import { useLoad } from './use-load.ts'

export interface Page<Item> {
  readonly items: Item[]
  readonly next?: number | null
}

export interface Pages<Item, Answer extends Page<Item> = Page<Item>> {
  /** Every page loaded so far; undefined until the first page is in. */
  readonly items: Item[] | undefined
  readonly first: Answer | undefined
  readonly loading: boolean
  readonly error: string | undefined
  readonly hasMore: boolean
  readonly loadingMore: boolean
  readonly moreError: string | undefined
  readonly loadMore: () => Promise<void>
  readonly reload: () => Promise<void>
}

interface More<Item> {
  readonly generation: number
  readonly items: Item[]
  readonly next: number | undefined
}

export function usePages<Item, Answer extends Page<Item> = Page<Item>> (loadPage: (before: number | undefined) => Promise<Answer & Page<Item>>, keys: readonly unknown[]): Pages<Item, Answer> {
  const generation = useRef(0)
  const [more, setMore] = useState<More<Item> | undefined>(undefined)
  const [loadingMore, setLoadingMore] = useState(false)
  const [moreError, setMoreError] = useState<string | undefined>(undefined)
  const first = useLoad(async () => {
    generation.current++
    setMoreError(undefined)
    return await loadPage(undefined)
  }, keys)

  const current = more?.generation === generation.current ? more : undefined
  const next = current === undefined ? first.data?.next ?? undefined : current.next
  const items = first.data === undefined ? undefined : [...first.data.items, ...(current?.items ?? [])]

  const loadMore = async () => {
    if (next === undefined) return
    const asked = generation.current
    setLoadingMore(true)
    setMoreError(undefined)
    try {
      const page = await loadPage(next)
      if (asked !== generation.current) return
      setMore({ generation: asked, items: [...(current?.items ?? []), ...page.items], next: page.next ?? undefined })
    } catch (caught) {
      if (asked === generation.current) setMoreError(errorMessage(caught))
    } finally {
      setLoadingMore(false)
    }
  }

  return { items, first: first.data, loading: first.loading, error: first.error, hasMore: next !== undefined, loadingMore, moreError, loadMore, reload: first.reload }
}
