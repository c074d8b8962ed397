import Fastify from 'fastify'
import fp from 'fastify-plugin'
import pino from 'pino'
import app from './app.ts'
import { frameworkErrorHandler } from './error-handler.ts'
import { loggerOptions, requestIdOptions, requestLogController } from './logger-options.ts'
import { trustProxyOption, type TrustProxy } from './trust-proxy.ts'

/**
 * Process entry: builds the app, listens, and shuts down gracefully on SIGTERM/SIGINT (stop accepting, let
 * in-flight requests finish, give running provider calls SHUTDOWN_GRACE_MS, close the database). A bad setting ends the boot with one line naming it.
 */
let trustProxy: TrustProxy
try {
  trustProxy = trustProxyOption(process.env.TRUST_PROXY)
} catch (error) {
  process.stderr.write(`hubspot-llm-actions: cannot start: ${(error as Error).message}\n`)
  process.exit(1)
}

const server = Fastify({
  // Log lines go out asynchronously, so a slow stdout reader never holds up the event loop; pino flushes what is
  // buffered when the process exits, and a SIGKILL can cost the last lines, never an execution.
  logger: { ...loggerOptions(process.env.LOG_LEVEL ?? 'info'), stream: pino.destination({ dest: 1, sync: false }) },
  logController: requestLogController(),
  ...requestIdOptions(),
  frameworkErrors: frameworkErrorHandler,
  // Long provider calls are answered within SYNC_BUDGET_MS or handed to a callback; this is a safety net.
  requestTimeout: 120_000,
  bodyLimit: 1024 * 1024,
  forceCloseConnections: 'idle',
  // Which load balancers' X-Forwarded-For to believe, for request.ip (limits, logs, the audit trail).
  trustProxy
})

// fp so the app's error handler and decorators apply to the root instance.
server.register(fp(app), {})

try {
  await server.ready()
} catch (error) {
  process.stderr.write(`hubspot-llm-actions: cannot start: ${(error as Error).message}\n`)
  process.exit(1)
}

let closing = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return
    closing = true
    server.log.info({ signal }, 'shutting down: finishing in-flight requests')
    // Requests in progress end within SYNC_BUDGET_MS, running calls get SHUTDOWN_GRACE_MS: past both, give up.
    const forceAfterMs = server.config.syncBudgetMs + server.config.shutdownGraceMs + 15_000
    const force = setTimeout(() => { server.log.error({ forceAfterMs }, 'forced exit: shutdown took too long'); process.exit(1) }, forceAfterMs)
    force.unref()
    server.close().then(() => process.exit(0), () => process.exit(1))
  })
}

try {
  await server.listen({ port: server.config.port, host: server.config.host })
  server.log.info({ publicUrl: server.config.publicUrl, dataDir: server.config.dataDir, hubspot: server.config.hubspot.clientSecret === undefined ? 'HUBSPOT_CLIENT_SECRET not set: HubSpot routes answer 503' : 'ready' }, 'hubspot-llm-actions is serving')
} catch (error) {
  process.stderr.write(`hubspot-llm-actions: cannot listen on ${server.config.host}:${server.config.port}: ${(error as Error).message}\n`)
  process.exit(1)
}
