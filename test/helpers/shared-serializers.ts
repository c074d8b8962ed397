import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

/**
 * Fastify's own response-serializer factory, remembering each compiled serializer for the rest of the process.
 * Tests build a fresh app hundreds of times in one process; compiling every route's response schemas again each
 * time was the largest part of a build. A serializer depends only on the schema's JSON (the app adds no shared
 * schemas), so that text is the key. Production builds one app and keeps Fastify's default.
 */
const compiled = new Map<string, (data: unknown) => string>()
const fastifyDefault = SerializerSelector()

export const sharedSerializers: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildSerializer: (externalSchemas, serializerOptions) => {
      const compile = fastifyDefault(externalSchemas, serializerOptions)
      if (externalSchemas != null && Object.keys(externalSchemas).length > 0) return compile
      return routeSchema => {
        const key = JSON.stringify(routeSchema.schema)
        let serializer = compiled.get(key)
        if (serializer === undefined) {
          serializer = compile(routeSchema)
          compiled.set(key, serializer)
        }
        return serializer
      }
    }
  }
}
