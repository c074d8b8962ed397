import { TEST_ADMIN_TOKEN, type TestApp } from './build-app.ts'

export interface SignedIn {
  /** `llm_actions_session=<id>`, as a browser sends it back. */
  readonly cookie: string
  readonly csrfToken: string
  /** The whole Set-Cookie header the sign-in answered with. */
  readonly setCookie: string
  readonly actor: string
}

/** Signs in on the admin page's route, as the page does; throws unless it answers 200. */
export async function signIn (built: TestApp, token = TEST_ADMIN_TOKEN): Promise<SignedIn> {
  const response = await built.app.inject({ method: 'POST', url: '/session', payload: { token } })
  if (response.statusCode !== 200) throw new Error(`sign-in answered ${response.statusCode}: ${response.body}`)
  const setCookie = String(response.headers['set-cookie'])
  return { cookie: setCookie.split(';')[0] ?? '', csrfToken: response.json().csrfToken, setCookie, actor: response.json().actor }
}

/** The session id a signed-in cookie carries. */
export const cookieSessionId = (session: SignedIn) => session.cookie.split('=')[1] ?? ''
