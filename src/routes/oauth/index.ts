import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AppError } from '../../../plugins/errors.ts'
import { errorResponses } from '../../schemas/error-responses.ts'

/**
 * HubSpot OAuth install (contract §3): public and unsigned, since a person's browser calls them, not HubSpot.
 * `/oauth/install` only redirects to HubSpot's authorize page with a fresh single-use `state`; HubSpot sends the
 * browser back to `/oauth/callback` with `code` and `state` (or `error` and `error_description`).
 *
 * Errors leave in the app's one JSON format (`{statusCode, code, error, message}`, stable codes), which browsers
 * show as readable text; only the success page is HTML.
 */

const CallbackQuerySchema = Type.Object({
  // Optional, so a missing state is INVALID_OAUTH_STATE (contract §3) rather than a generic INVALID_INPUT.
  code: Type.Optional(Type.String({ maxLength: 2048 })),
  state: Type.Optional(Type.String({ maxLength: 512 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 2000 }))
})

const errors = errorResponses('RATE_LIMITED', 'HUBSPOT_NOT_CONFIGURED')

// Modest: a person installs once; this only keeps a script from churning nonces or the token endpoint.
const rateLimit = { max: 30, timeWindow: 60_000 }

/** Headers for pages that carry one-time values in their URL: no caching, no referrer, no active content. */
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': 'default-src \'none\'; style-src \'unsafe-inline\'; frame-ancestors \'none\''
}

const oauthRoutes: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/oauth/install', {
    config: { rateLimit },
    schema: {
      summary: 'Start the HubSpot app install: a redirect to HubSpot\'s authorize page',
      tags: ['oauth'],
      response: { 302: Type.Null({ description: 'To HubSpot\'s authorize page, with a fresh single-use state' }), ...errors }
    }
  }, async (_request, reply) => reply.headers(PAGE_HEADERS).redirect(await fastify.hubspot.installUrl(), 302))

  fastify.get('/oauth/callback', {
    config: { rateLimit },
    // The 200 is an HTML page: a string with a text/html type is sent as is, never through the JSON serialiser.
    schema: {
      summary: 'Finish the install: exchange HubSpot\'s code for tokens',
      tags: ['oauth'],
      querystring: CallbackQuerySchema,
      response: { 200: Type.String({ description: 'HTML page' }), ...errorResponses('INVALID_INPUT', 'INVALID_OAUTH_STATE', 'RATE_LIMITED', 'HUBSPOT_API_ERROR', 'STORAGE_UNAVAILABLE', 'HUBSPOT_NOT_CONFIGURED') }
    }
  }, async (request, reply) => {
    const { code, state, error, error_description: description } = request.query
    if (error !== undefined) {
      // The person declined, or HubSpot refused the request: nothing to exchange. Their words, bounded, as text.
      const detail = description === undefined || description.trim() === '' ? '' : ` (${description.trim().slice(0, 300)})`
      throw new AppError('INVALID_INPUT', `HubSpot did not complete the install: ${error}${detail}. Start again at ${fastify.config.publicUrl}/oauth/install.`)
    }
    const { portalId } = await fastify.hubspot.completeInstall(code, state)
    return reply.code(200).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(installedPage(portalId))
  })
}

function installedPage (portalId: number): string {
  const account = escapeHtml(String(portalId))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HubSpot app installed</title>
<style>body { font-family: system-ui, sans-serif; margin: 4rem auto; max-width: 32rem; line-height: 1.5 }</style>
</head>
<body>
<h1>Installed</h1>
<p>Installed for HubSpot account ${account}. You can close this tab.</p>
</body>
</html>
`
}

export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, character => `&#${character.charCodeAt(0)};`)
}

export default oauthRoutes
