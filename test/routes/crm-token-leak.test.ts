import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp, TEST_CLIENT_SECRET } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { HUBSPOT_STUB_ACCESS_TOKEN_PREFIX, HUBSPOT_STUB_CLIENT_ID, startHubSpotStub } from '../stubs/hubspot-stub.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

/**
 * HubSpot's free text may quote the token a call carried (a proxy, a support message, a debugging echo): whatever
 * HubSpot says in a failed CRM read, the portal's access token reaches no answer, no log line and no database file.
 */

const PORTAL = 24680
const PATH = '/hubspot/actions/custom-llm'

t.test('a CRM read refused with a body quoting the access token leaks no part of it', async t => {
  const openai = await startOpenAIStub()
  const hubspot = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(async () => { await openai.close(); await hubspot.close() })
  const { app, admin, logs, dataDir } = await buildApp(t, {
    OPENAI_BASE_URL: openai.baseUrl,
    HUBSPOT_CLIENT_ID: HUBSPOT_STUB_CLIENT_ID,
    HUBSPOT_API_BASE_URL: hubspot.baseUrl,
    HUBSPOT_OAUTH_SCOPES: 'oauth automation crm.objects.contacts.read'
  })
  await app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  const install = await app.inject({ url: '/oauth/install' })
  const state = new URL(String(install.headers.location)).searchParams.get('state')
  const code = hubspot.issueAuthCode(PORTAL, { scopes: ['oauth', 'automation', 'crm.objects.contacts.read'] })
  t.equal((await app.inject({ url: `/oauth/callback?code=${encodeURIComponent(code)}&state=${state}` })).statusCode, 200)

  // The token whole, upper-cased, cut in two, and inside HubSpot's category and correlation id.
  hubspot.on('GET /crm/v3/objects/contacts/904', request => {
    const token = String(request.headers.authorization).replace(/^Bearer /, '')
    const half = Math.floor(token.length / 2)
    return {
      status: 403,
      body: {
        status: 'error',
        message: `Token ${token} (${token.toUpperCase()}) lacks scopes; first part ${token.slice(0, half)}, last part ${token.slice(half)}`,
        errors: [{ message: `scope missing for ${token}` }],
        category: `MISSING_SCOPES ${token}`,
        correlationId: token
      }
    }
  })

  const payload = JSON.stringify(executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'Stage: {{lifecyclestage}}' }))
  const response = await app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  const fields = response.json().outputFields as Record<string, string>
  t.equal(fields.errorCode, 'HUBSPOT_API_ERROR', 'the execution fails with HubSpot\'s refusal')
  t.match(fields.errorMessage, /HTTP 403/, 'the status is still said')
  t.match(fields.errorMessage, /crm\.objects\.contacts\.read/, 'and what to do about it')
  t.equal(openai.generations().length, 0, 'no provider call')

  const [token] = hubspot.issuedTokens()
  t.ok(token?.startsWith(HUBSPOT_STUB_ACCESS_TOKEN_PREFIX), 'the portal has an access token')
  // Any piece of the token's random part (the prefix is the same for every token, so the tail is what identifies it).
  const tail = String(token).slice(HUBSPOT_STUB_ACCESS_TOKEN_PREFIX.length)
  const pieces = [tail.slice(0, 12), tail.slice(-12), 'canary']
  const databaseFiles = readdirSync(dataDir).filter(name => name.startsWith('app.db'))
  t.ok(databaseFiles.length > 0, 'the database files are there to search')
  const places: Record<string, string> = {
    response: response.body,
    logs: logs.join('\n'),
    ...Object.fromEntries(databaseFiles.map(name => [name, readFileSync(join(dataDir, name)).toString('latin1')]))
  }
  for (const [place, text] of Object.entries(places)) {
    for (const piece of pieces) t.notOk(text.toLowerCase().includes(piece.toLowerCase()), `${place} holds no "${piece}"`)
  }
})
