import Fastify, { type FastifyInstance } from 'fastify'
import config from '../../plugins/config/index.ts'
import database from '../../plugins/database.ts'
import keyring from '../../plugins/keyring/index.ts'

/**
 * The settings, database and keyring exactly as the server builds them (same validation, same migrations),
 * without routes or providers, for operator commands.
 */
export async function openServiceInstance (environment: Record<string, string | undefined>): Promise<FastifyInstance> {
  const fastify = Fastify({ logger: false })
  await fastify.register(config, { environment })
  await fastify.register(database)
  await fastify.register(keyring)
  await fastify.ready()
  return fastify
}
