import type { CliIo } from './print-definitions.ts'
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

/**
 * A command that works on the service's database: `--help` prints `usage`; otherwise the service's instance is
 * opened, `body` runs on it and the instance is closed. Exit codes: 0 done, 1 `body` failed (the message gets
 * `unchangedNote`, since a command's change is one transaction), 2 the instance could not open.
 */
export async function runOnServiceInstance (argv: string[], io: CliIo, usage: string, unchangedNote: string, body: (instance: FastifyInstance) => Promise<string>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(usage)
    return 0
  }
  let instance
  try {
    instance = await openServiceInstance(io.env)
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`)
    return 2
  }
  try {
    io.stdout(await body(instance))
    return 0
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}; ${unchangedNote}\n`)
    return 1
  } finally {
    await instance.close()
  }
}
