import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Once the server is closing, every response carries `Connection: close`. Fastify closes the connections that are
 * idle when `close()` begins and answers new requests 503, but a keep-alive connection whose request is still in
 * flight then (a load balancer's, typically) stays open after its response until `keepAliveTimeout` (72 s), and the
 * close waits for it: the engine's shutdown, which hands the instance's leases back, would not start until then.
 */
async function shutdownConnections (fastify: FastifyInstance): Promise<void> {
  let closing = false
  fastify.addHook('preClose', async () => { closing = true })
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close')
  })
}

export default fp(shutdownConnections, { name: 'shutdown-connections', fastify: '5.x' })
