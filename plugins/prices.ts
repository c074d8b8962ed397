import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createPriceBook } from '../providers/pricing/create-price-book.ts'
import type { PriceBook } from '../providers/pricing/price-book.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Model prices: the operator's PRICES_FILE over the bundled price table; never fetched at run time. */
    prices: PriceBook
  }
}

async function prices (fastify: FastifyInstance): Promise<void> {
  fastify.decorate('prices', createPriceBook({ overrides: fastify.config.priceOverrides }))
}

export default fp(prices, { name: 'prices', fastify: '5.x', dependencies: ['config'] })
