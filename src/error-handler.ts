import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isStorageFailure } from '../db/storage-failure.ts'
import { AppError, ERROR_CATALOGUE, isAppError, type ErrorCode } from '../plugins/errors.ts'

/** What a write the database refused (full, read-only, locked) answers: the client's retry will find it back. */
const STORAGE_RETRY_AFTER_SECONDS = 30

export function errorBody (code: ErrorCode, message: string, statusCode: number = ERROR_CATALOGUE[code].status) {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

export function sendAppError (reply: FastifyReply, error: AppError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
  return reply.code(error.statusCode).send(errorBody(error.code, error.message, error.statusCode))
}

/**
 * Every error leaves as `{statusCode, code, error, message}`. Our own errors keep their code and message; request
 * validation becomes INVALID_INPUT naming the field; a write the database refused is 503 STORAGE_UNAVAILABLE with
 * Retry-After; anything unexpected is logged and answered as INTERNAL with no detail, so no stack trace or internal
 * text reaches a client.
 */
export function errorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isAppError(error)) return sendAppError(reply, error)
  if (error.validation !== undefined) {
    const where = error.validationContext === undefined ? '' : `${error.validationContext}`
    const first = error.validation[0]
    const field = first === undefined ? '' : `${where}${first.instancePath}`.replace(/\//g, '.')
    const message = first === undefined ? error.message : `${field === '' ? where : field} ${first.message ?? 'is invalid'}`.trim()
    return reply.code(400).send(errorBody('INVALID_INPUT', message))
  }
  const status = error.statusCode ?? 500
  if (status === 429) return reply.code(429).send(errorBody('RATE_LIMITED', ERROR_CATALOGUE.RATE_LIMITED.message))
  if (status >= 400 && status < 500) {
    const message = status === 413 ? 'The request body is too large.' : status === 415 ? 'Send JSON with Content-Type: application/json.' : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'The body is not valid JSON.' : error.message
    return reply.code(status).send(errorBody('INVALID_INPUT', message, status))
  }
  if (isStorageFailure(error)) {
    request.log.error({ err: error }, 'the database refused the request')
    return sendAppError(reply, new AppError('STORAGE_UNAVAILABLE', 'The service could not write to its database (disk full, read-only or locked); try again later.', { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS }))
  }
  request.log.error({ err: error }, 'unexpected error')
  return reply.code(500).send(errorBody('INTERNAL', ERROR_CATALOGUE.INTERNAL.message))
}

export function notFoundHandler (request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`))
}

/**
 * Errors Fastify raises before routing, where neither hooks nor the error handler run: a URL with a broken
 * percent escape (`/api/portals/%/connections`), and a route constraint that failed. Given to the Fastify
 * constructor as `frameworkErrors` (server.ts and the test app), so these too answer with a catalogue code.
 */
export function frameworkErrorHandler (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_BAD_URL'
    ? 'The URL is not valid: a "%" must start an escape such as %2F.'
    : 'The request could not be routed.'
  void reply.code(400).send(errorBody('INVALID_INPUT', message))
}
