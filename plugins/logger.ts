/**
 * The logger shape plain modules take (pino's, which Fastify's `log` is): structured fields first, then the
 * message. Dependency-free, so every layer names it without importing Fastify or upwards.
 */
export interface Logger {
  info (object: object, message?: string): void
  warn (object: object, message?: string): void
  error (object: object, message?: string): void
}
