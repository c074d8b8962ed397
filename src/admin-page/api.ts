/**
 * The one way the page talks to the service: same-origin fetch with the session cookie, JSON both ways, the
 * CSRF header on every request that changes something, and errors turned into ApiError with the API's code
 * and message. A 401 from /api/* means the session ended; the handler set by the app shows the sign-in form.
 */

import type { Session, SessionsEnded, SignInBody } from './api-types.ts'

export class ApiError extends Error {
  readonly status: number
  readonly code: string

  constructor (status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

let csrfToken: string | null = null
let sessionEnded: () => void = () => undefined

export function setCsrfToken (token: string | null): void {
  csrfToken = token
}

export function onSessionEnded (handler: () => void): void {
  sessionEnded = handler
}

/** The error's text for the operator, whatever was thrown. */
export function errorMessage (error: unknown): string {
  if (error instanceof Error) return error.message
  return 'Something went wrong.'
}

export async function request<Result> (method: Method, path: string, body?: unknown): Promise<Result> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
  } catch {
    throw new ApiError(0, 'NETWORK', 'The service could not be reached. Check the connection and try again.')
  }
  if (response.status === 204) return undefined as Result
  const payload = await readJson(response)
  if (response.ok) return payload as Result
  const error = toApiError(response, payload)
  if (response.status === 401 && path.startsWith('/api/')) {
    csrfToken = null
    sessionEnded()
  }
  throw error
}

async function readJson (response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '')
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function toApiError (response: Response, payload: unknown): ApiError {
  if (typeof payload === 'object' && payload !== null) {
    const { code, message } = payload as { code?: unknown, message?: unknown }
    if (typeof message === 'string' && message !== '') {
      return new ApiError(response.status, typeof code === 'string' ? code : 'ERROR', message)
    }
  }
  const reason = response.statusText === '' ? '' : ` ${response.statusText}`
  return new ApiError(response.status, 'HTTP_ERROR', `The service answered ${response.status}${reason}.`)
}

export const api = {
  get: async <Result>(path: string) => await request<Result>('GET', path),
  post: async <Result>(path: string, body?: unknown) => await request<Result>('POST', path, body),
  put: async <Result>(path: string, body: unknown) => await request<Result>('PUT', path, body),
  delete: async (path: string) => { await request<undefined>('DELETE', path) }
}

export const session = {
  /** The current session, or null when the cookie is missing or expired (or the route is not there). */
  async read (): Promise<Session | null> {
    try {
      return await request<Session>('GET', '/session')
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 404)) return null
      throw error
    }
  },
  async signIn (token: string): Promise<Session> {
    const body: SignInBody = { token }
    return await request<Session>('POST', '/session', body)
  },
  async signOut (): Promise<void> {
    try {
      await request<undefined>('DELETE', '/session')
    } catch (error) {
      // An already-ended session is signed out too.
      if (!(error instanceof ApiError && error.status === 401)) throw error
    }
  },
  /** Ends every session, this one included; answers how many were live. */
  async signOutEverywhere (): Promise<number> {
    return (await request<SessionsEnded>('DELETE', '/session/all')).ended
  }
}

/** `/api/portals/<id>` plus the rest, with each dynamic segment escaped. */
export function portalPath (portalId: number, ...segments: Array<string | number>): string {
  return ['/api/portals', String(portalId), ...segments.map(segment => encodeURIComponent(String(segment)))].join('/')
}
