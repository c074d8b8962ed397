import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from './errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for admin routes: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

async function adminAuth (fastify: FastifyInstance): Promise<void> {
  // Hashing both sides first makes the comparison constant-time whatever the lengths.
  const expected = createHash('sha256').update(fastify.config.adminToken).digest()
  fastify.decorate('requireAdmin', async (request: FastifyRequest) => {
    const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')
    const given = createHash('sha256').update(match?.[1]?.trim() ?? '').digest()
    if (match === null || !timingSafeEqual(given, expected)) throw new AppError('UNAUTHORIZED')
  })
}

export default fp(adminAuth, { name: 'admin-auth', dependencies: ['config'], fastify: '5.x' })
