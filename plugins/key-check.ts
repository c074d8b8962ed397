import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { checkStoredKeys } from './keyring/key-health.ts'

/**
 * At every boot, once everything is registered, checks that the configured ENCRYPTION_KEYS still decrypt every
 * stored provider key (see `checkStoredKeys`).
 */
async function keyCheck (fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onReady', async () => {
    await checkStoredKeys({ connections: fastify.repositories.connections, keyring: fastify.keyring, clock: fastify.clock, log: fastify.log })
  })
}

export default fp(keyCheck, { name: 'key-check', dependencies: ['clock', 'database', 'keyring'], fastify: '5.x' })
