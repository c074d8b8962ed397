import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createKeyring, type Keyring } from './keyring.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The one place secrets are encrypted and decrypted. */
    keyring: Keyring
  }
}

async function keyring (fastify: FastifyInstance): Promise<void> {
  fastify.decorate('keyring', createKeyring(fastify.config.encryptionKeys))
}

export default fp(keyring, { name: 'keyring', dependencies: ['config'], fastify: '5.x' })
