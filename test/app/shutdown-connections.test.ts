import { Agent, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { durableSetup, EXECUTE_PATH } from '../helpers/durable-setup.ts'
import { signedHeaders } from '../helpers/hubspot-request.ts'

// A keep-alive connection (a load balancer's) whose execution is still running when the server starts to close: its
// answer still comes, with `Connection: close`, and the close then ends at once instead of waiting out the idle
// connection's keepAliveTimeout (72 s), which held up the engine's shutdown and the leases it hands back.

t.test('a request in flight on a keep-alive connection when the server closes is answered, and the close does not wait for the connection', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '5000' })
  setup.providerDelayMs = 600
  await setup.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = setup.app.server.address() as AddressInfo
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => { agent.destroy() })

  const payload = JSON.stringify(setup.body())
  const answered = new Promise<{ status: number | undefined, connection: string | undefined, body: string }>((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path: EXECUTE_PATH, method: 'POST', agent, headers: { ...signedHeaders('POST', EXECUTE_PATH, payload), 'content-length': Buffer.byteLength(payload) } }, response => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', chunk => { body += chunk })
      response.on('end', () => { resolve({ status: response.statusCode, connection: response.headers.connection, body }) })
    })
    sent.on('error', reject)
    sent.end(payload)
  })
  await new Promise(resolve => setTimeout(resolve, 200))
  const began = Date.now()
  const closed = setup.app.close().then(() => Date.now() - began)

  const answer = await answered
  t.equal(answer.status, 200)
  t.equal(JSON.parse(answer.body).outputFields?.hs_execution_state, 'SUCCESS', 'the execution in flight is answered')
  t.equal(answer.connection, 'close', 'with Connection: close')
  const hang = new Promise<string>(resolve => setTimeout(() => { resolve('still open after 20 s') }, 20_000).unref())
  t.type(await Promise.race([closed, hang]), 'number', 'the close ends without waiting for the keep-alive connection')
})
