import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SESSION_COOKIE, sessionIdOf } from '../../../plugins/admin-auth.ts'
import { AppError } from '../../../plugins/errors.ts'
import type { AdminSession } from '../../../plugins/session-store.ts'
import { SessionSchema, SessionsEndedSchema, SignInBodySchema, type Session } from '../../schemas/admin/session.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

/**
 * The admin page's sign-in (contract §4): `POST /session` trades the admin token for an HttpOnly cookie,
 * `GET /session` tells the page whether it is signed in (and its CSRF token), `DELETE /session` signs out, and
 * `DELETE /session/all` signs every session out. The bearer API is unchanged; these only add a way for a browser.
 */
const sessionRoutes: FastifyPluginAsyncTypebox = async fastify => {
  const hubspotInstall = fastify.config.hubspot.clientId !== undefined && fastify.config.hubspot.clientSecret !== undefined

  const sessionJson = (session: AdminSession): Session => ({ csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString(), hubspotInstall, actor: session.actor })

  // Secure whenever the browser reaches the service over HTTPS, directly or (PUBLIC_URL says so) through a proxy.
  const secure = (request: FastifyRequest) => request.protocol === 'https' || fastify.config.publicUrl.startsWith('https:')

  // Written here rather than by @fastify/cookie's onSend hook, which (registered with `hook: false`) not every version adds.
  function setCookie (request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
    reply.header('set-cookie', fastify.serializeCookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: secure(request), path: '/', maxAge: maxAgeSeconds }))
  }

  fastify.post('/session', {
    schema: {
      summary: 'Sign in to the admin page with the admin token',
      description: 'Sets the HttpOnly session cookie. A wrong token is answered after a delay, and too many from one client are refused for a minute.',
      tags: ['session'],
      body: SignInBodySchema,
      response: { 200: SessionSchema, ...errorResponses('INVALID_INPUT', 'UNAUTHORIZED', 'RATE_LIMITED') }
    }
  }, async (request, reply) => {
    await fastify.checkSignInToken(request, request.body.token)
    const session = await fastify.adminSessions.open()
    setCookie(request, reply, session.sessionId, Math.floor((session.expiresAt - fastify.clock()) / 1000))
    return sessionJson(session)
  })

  fastify.register(async signedIn => {
    signedIn.addHook('onRequest', fastify.requireAdmin)

    signedIn.get('/session', {
      schema: {
        summary: 'The admin page\'s session: its CSRF token and when it expires',
        tags: ['session'],
        response: { 200: SessionSchema, ...errorResponses(...ADMIN_ERRORS, 'NOT_FOUND') }
      }
    }, async request => {
      const session = request.adminSession
      // Signed in with the bearer token instead: there is no session to describe.
      if (session === undefined) throw new AppError('NOT_FOUND', 'This request came with the bearer token: there is no page session to describe.')
      return sessionJson(session)
    })

    signedIn.delete('/session', {
      schema: {
        summary: 'Sign out of the admin page',
        tags: ['session'],
        response: { 204: Type.Null(), ...errorResponses(...ADMIN_ERRORS) }
      }
    }, async (request, reply) => {
      const sessionId = sessionIdOf(fastify, request)
      if (sessionId !== undefined && request.adminSession !== undefined) await fastify.adminSessions.close(sessionId)
      setCookie(request, reply, '', 0)
      return reply.code(204).send()
    })

    signedIn.delete('/session/all', {
      schema: {
        summary: 'Sign out everywhere: end every admin page session, this one included',
        description: 'For a session cookie that may have leaked. Changing ADMIN_TOKEN ends every session opened with the old one as well.',
        tags: ['session'],
        response: { 200: SessionsEndedSchema, ...errorResponses(...ADMIN_ERRORS) }
      }
    }, async (request, reply) => {
      const ended = await fastify.adminSessions.closeAll(request.adminActor)
      setCookie(request, reply, '', 0)
      return { ended }
    })
  })
}

export default sessionRoutes
