import fastifyEnv from '@fastify/env'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { EnvSchema, type Env } from './env-schema.ts'
import { resolveSettings, SettingsError, type Settings } from './settings.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: Settings
  }
}

export interface ConfigOptions {
  /** The environment to validate; `process.env` when absent. Tests pass their own, so nothing leaks between them. */
  readonly environment?: Record<string, string | undefined>
}

/** Validates the environment (contract §2) and decorates `config`. A bad value fails the boot naming the variable. */
async function config (fastify: FastifyInstance, options: ConfigOptions): Promise<void> {
  const scope = { env: undefined as Env | undefined }
  try {
    await fastify.register(fastifyEnv, { schema: EnvSchema, data: options.environment ?? process.env, confKey: 'environment' })
    scope.env = (fastify as unknown as { environment: Env }).environment
  } catch (error) {
    throw new SettingsError(describeEnvError(error))
  }
  const settings = resolveSettings(scope.env)
  fastify.decorate('config', settings)
  if (settings.generatedSecretsFile !== undefined) {
    fastify.log.warn({ file: settings.generatedSecretsFile }, 'generated ENCRYPTION_KEY and ADMIN_TOKEN; back this file up, keys stored here cannot be read without it')
  }
}

function describeEnvError (error: unknown): string {
  const issues = (error as { errors?: Array<{ instancePath?: string, message?: string, params?: Record<string, unknown> }> }).errors
  const first = issues?.[0]
  if (first === undefined) return (error as Error).message
  const name = (first.instancePath ?? '').replace(/^\//, '') || String(first.params?.missingProperty ?? 'environment')
  const allowed = Array.isArray(first.params?.allowedValues) ? ` (${(first.params.allowedValues as unknown[]).join(', ')})` : ''
  return `${name} ${first.message ?? 'is invalid'}${allowed}`
}

export default fp(config, { name: 'config', fastify: '5.x' })
