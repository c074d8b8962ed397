import pg from 'pg'
import { CHANGE_TOPICS, type Change, type ChangeListener } from '../change-feed.ts'

/** The channel every instance on one database publishes its changes on and listens to. */
export const CHANGE_CHANNEL = 'llm_actions_changes'
/** How the listening connection shows in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'llm-actions-listener'
/** Our payloads are well under this; a longer one is not ours. */
const MAX_PAYLOAD_LENGTH = 1024
const FIRST_RETRY_MS = 250
const LAST_RETRY_MS = 5_000
/** As long as the pool waits for a connection: a server that does not answer counts as lost. */
const CONNECT_TIMEOUT_MS = 5_000

export interface ChangeListenerHandle {
  close (): Promise<void>
}

/** The change a NOTIFY payload announces, or undefined for anything else on the channel (ignored). */
function parseChange (payload: string | undefined): Change | undefined {
  if (payload === undefined || payload.length > MAX_PAYLOAD_LENGTH) return undefined
  let value: unknown
  try { value = JSON.parse(payload) } catch { return undefined }
  if (typeof value !== 'object' || value === null) return undefined
  const { topic, portalId, provider } = value as Record<string, unknown>
  if (!CHANGE_TOPICS.includes(topic as Change['topic']) || !Number.isSafeInteger(portalId)) return undefined
  if (provider !== undefined && typeof provider !== 'string') return undefined
  return { topic: topic as Change['topic'], portalId: portalId as number, ...(provider === undefined ? {} : { provider }) }
}

/**
 * One connection of its own (not the pool's, whose connections come and go) that LISTENs on the channel and hands
 * each change to `listener`. PostgreSQL keeps nothing for a listener that was away, so when the connection is lost
 * `listener` gets `all` at once, and again once listening resumes; meanwhile it reconnects with a backoff. Resolves
 * after the first attempt, so a change committed after that reaches this instance; a first attempt that failed is
 * retried like a lost connection.
 */
export async function startChangeListener (url: string, listener: ChangeListener): Promise<ChangeListenerHandle> {
  let client: pg.Client | undefined
  let retryTimer: NodeJS.Timeout | undefined
  let retryMs = FIRST_RETRY_MS
  let listening = false
  /** Whether changes may have gone unheard since listening last began. */
  let missed = false
  let closed = false

  async function connect (): Promise<void> {
    // Keepalive, so that a connection the network dropped without a word is found lost rather than waited on.
    const next = new pg.Client({ connectionString: url, application_name: LISTENER_APPLICATION_NAME, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true })
    client = next
    next.on('notification', message => {
      const change = message.channel === CHANGE_CHANNEL ? parseChange(message.payload) : undefined
      if (change !== undefined) listener(change)
    })
    // 'error' alone (a terminated backend) or 'end' alone (a clean close by the server): either means lost.
    next.on('error', () => { lost(next) })
    next.on('end', () => { lost(next) })
    try {
      await next.connect()
      await next.query(`LISTEN ${CHANGE_CHANNEL}`)
    } catch {
      lost(next)
      return
    }
    if (closed || client !== next) return
    listening = true
    retryMs = FIRST_RETRY_MS
    if (missed) listener({ topic: 'all' })
    missed = false
  }

  function lost (which: pg.Client): void {
    if (closed || client !== which) return
    client = undefined
    which.end().catch(() => undefined)
    if (listening) listener({ topic: 'all' })
    listening = false
    missed = true
    retryTimer = setTimeout(() => { retryTimer = undefined; void connect() }, retryMs)
    retryTimer.unref()
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS)
  }

  await connect()
  return {
    async close () {
      closed = true
      clearTimeout(retryTimer)
      const last = client
      client = undefined
      await last?.end().catch(() => undefined)
    }
  }
}
