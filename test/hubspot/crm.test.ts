import t from 'tap'
import { crmObjectPath } from '../../src/hubspot/index.ts'
import { PORTAL, setupClient } from '../helpers/hubspot-client.ts'

/** CRM record reads with the portal's token: the object paths, 404 as "no record", one refresh on 401, timeouts. */

t.test('a HubSpot call that takes too long fails with a readable timeout', async t => {
  // Long enough for the install's own calls on a loaded machine, far below the stub's 5 s delay.
  const { client, stub, install, failure, assertNothingLeaked } = await setupClient(t, { timeoutMs: 1500 })
  await install()
  stub.seedRecord('contacts', 1, { firstname: 'Slow' })
  stub.once('GET /crm/v3/objects/contacts/1', { delayMs: 5_000, body: {} })
  const error = await failure(client.readRecordProperties(PORTAL, 'CONTACT', '1', ['firstname']))
  t.equal(error.status, 0)
  t.match(error.message, 'HubSpot did not answer within 1.5s when asked to read CONTACT 1.')
  assertNothingLeaked()
})

t.test('readRecordProperties: object type mapping, only the asked names, Bearer token', async t => {
  const { client, stub, install, assertNothingLeaked } = await setupClient(t)
  t.equal(await client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), undefined, 'not installed: undefined, no call')
  t.equal(stub.crmRequests().length, 0)
  await install()

  stub.seedRecord('contacts', 904, { firstname: 'Ada', lastname: 'Lovelace', jobtitle: null, email: 'ada@example.com' })
  stub.seedRecord('companies', 55, { name: 'Analytical Engines Ltd' })
  stub.seedRecord('deals', 66, { dealname: 'Difference engine' })
  stub.seedRecord('tickets', 77, { subject: 'Bernoulli numbers' })
  stub.seedRecord('2-12345', 88, { colour: 'brass' })

  t.same(await client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname', 'jobtitle', 'nosuchproperty']), { firstname: 'Ada', jobtitle: null },
    'an empty property is present (null); a missing one stays absent; HubSpot\'s defaults are dropped')
  const read = stub.crmRequests()[0]
  t.equal(read?.url, '/crm/v3/objects/contacts/904?properties=firstname,jobtitle,nosuchproperty')
  t.equal(read?.headers.authorization, `Bearer ${stub.issuedTokens()[0]}`)

  t.same(await client.readRecordProperties(PORTAL, 'COMPANY', '55', ['name']), { name: 'Analytical Engines Ltd' })
  t.same(await client.readRecordProperties(PORTAL, 'DEAL', '66', ['dealname']), { dealname: 'Difference engine' })
  t.same(await client.readRecordProperties(PORTAL, 'TICKET', '77', ['subject']), { subject: 'Bernoulli numbers' })
  t.same(await client.readRecordProperties(PORTAL, '2-12345', '88', ['colour']), { colour: 'brass' })
  t.same(stub.crmRequests().map(request => request.path), [
    '/crm/v3/objects/contacts/904', '/crm/v3/objects/companies/55', '/crm/v3/objects/deals/66', '/crm/v3/objects/tickets/77', '/crm/v3/objects/2-12345/88'
  ])
  t.equal(crmObjectPath('contact'), 'contacts')
  t.equal(crmObjectPath('P_WIDGETS'), 'p_widgets')
  assertNothingLeaked()
})

t.test('readRecordProperties: 404 is {}, 401 refreshes once and retries, 403 explains the scope', async t => {
  const { client, stub, install, failure, tokenRequests, assertNothingLeaked } = await setupClient(t)
  await install()
  stub.seedRecord('contacts', 904, { firstname: 'Ada' })

  stub.removeRecord('contacts', 904)
  t.same(await client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), {}, 'deleted record: every placeholder unresolved')
  t.same(await client.readRecordProperties(PORTAL, 'CONTACT', '123', ['firstname']), {}, 'unknown record')

  stub.seedRecord('contacts', 904, { firstname: 'Ada' })
  stub.expireAccessTokens(PORTAL)
  t.same(await client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), { firstname: 'Ada' })
  t.equal(tokenRequests('refresh_token'), 1, 'one refresh')
  const [rejected, retried] = stub.crmRequests().slice(-2)
  t.not(rejected?.headers.authorization, retried?.headers.authorization, 'retried with the new token')

  stub.once('GET /crm/v3/objects/contacts/904', { status: 403, body: { status: 'error', message: 'This app hasn\'t been granted all required scopes to make this call.', category: 'MISSING_SCOPES', correlationId: 'c-1' } })
  const forbidden = await failure(client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']))
  t.equal(forbidden.code, 'HUBSPOT_API_ERROR')
  t.match(forbidden.message, /HubSpot refused to read CONTACT 904 for portal 8675309 \(HTTP 403: HubSpot refused access \(a missing scope or permission\) \(category MISSING_SCOPES, correlation id c-1\)\)/)
  t.match(forbidden.message, /HUBSPOT_OAUTH_SCOPES includes .* crm\.objects\.contacts\.read/)

  stub.once('GET /crm/v3/objects/contacts/904', { status: 500, body: { status: 'error', message: 'internal error', category: 'INTERNAL_ERROR' } })
  t.match((await failure(client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']))).message, /HTTP 500: HubSpot had a problem on its side/)

  // A 401 even after the refresh is not retried forever.
  stub.once('GET /crm/v3/objects/contacts/904', { status: 401, body: {} }, { status: 401, body: {} })
  const before = stub.crmRequests().length
  const unauthorised = await failure(client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']))
  t.match(unauthorised.message, /HTTP 401/)
  t.equal(stub.crmRequests().length - before, 2, 'one retry only')
  assertNothingLeaked()
})

t.test('readRecordProperties: a refresh that finds the grant revoked reads as not installed', async t => {
  const { client, stub, install, repositories, assertNothingLeaked } = await setupClient(t)
  await install()
  stub.seedRecord('contacts', 904, { firstname: 'Ada' })
  stub.expireAccessTokens(PORTAL)
  stub.revokeRefreshTokens(PORTAL)
  t.equal(await client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), undefined)
  t.equal((await repositories.portals.find(PORTAL))?.installStatus, 'reinstall_required')
  assertNothingLeaked()
})

t.test('readRecordProperties: only HubSpot object type names and numeric ids reach the CRM API', async t => {
  const { client, stub, install, failure, assertNothingLeaked } = await setupClient(t)
  await install()
  for (const [objectType, objectId] of [['p_widgets', '1'], ['p12345_widgets', '2'], ['2-123456', '3'], ['LINE_ITEM', '18446744073709551615']] as const) {
    stub.seedRecord(crmObjectPath(objectType), objectId, { name: objectType })
    t.same(await client.readRecordProperties(PORTAL, objectType, objectId, ['name']), { name: objectType }, `${objectType} ${objectId} is read`)
  }
  const before = stub.requests.length
  const refused: Array<[string, string]> = [
    ['..', '904'], ['.', '904'], ['CONTACT', '..'], ['CONTACT', '.'], ['contacts/904', '1'], ['CONTACT', '904/associations'],
    ['CONTACT', '904?archived=true'], ['p.widgets', '1'], ['-contacts', '1'], ['', '1'], ['CONTACT', ''], ['CONTACT', '-1'],
    ['CONTACT', '1.5'], ['CONTACT', '123456789012345678901'], ['a'.repeat(101), '1'], ['CONTACT', '9%2F..']
  ]
  for (const [objectType, objectId] of refused) {
    const error = await failure(client.readRecordProperties(PORTAL, objectType, objectId, ['firstname']))
    t.equal(error.code, 'INVALID_INPUT', `${JSON.stringify(objectType)} ${JSON.stringify(objectId)} is refused`)
    t.match(error.message, /HubSpot object type|numeric record id/, 'and the message says what a valid one looks like')
  }
  t.equal(stub.requests.length, before, 'none of them reached HubSpot')
  assertNothingLeaked()
})
