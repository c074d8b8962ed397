import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
import type { FastifyRouteSchemaDef, FastifyValidationResult } from 'fastify/types/schema.js'

/**
 * TypeBox's own message for a value that fits no member of a union is "Expected union value" at the union's path,
 * which names no field. The member's own first error does (`/monthlyLimitUsd: Expected number to be greater than
 * 0`); a member that only wanted `null` explains nothing and is passed over.
 */
function explained (error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union) return error
  for (const member of error.errors) {
    for (const inner of member) if (inner.type !== ValueErrorType.Null) return explained(inner)
  }
  return error
}

/**
 * The app's validator compiler: TypeBox checks bodies exactly as sent and converts only the other parts (params,
 * querystrings, headers), where everything arrives as text, like @fastify/type-provider-typebox's own compiler;
 * errors inside a union (`X | null` fields, a body that may be JSON `null`) name the member's field.
 */
export function unionExplainingValidatorCompiler<RouteSchema> ({ schema, httpPart }: FastifyRouteSchemaDef<RouteSchema>): FastifyValidationResult {
  // Fastify hands each part's own schema here, whatever the route's generic says.
  const part = schema as unknown as TSchema
  const check = TypeCompiler.Compile(part)
  return (value: unknown) => {
    const converted = httpPart === 'body' ? value : Value.Convert(part, value)
    if (check.Check(converted)) return { value: converted }
    const error = [...check.Errors(converted)].map(explained).map(inner => ({ keyword: ValueErrorType[inner.type] ?? 'invalid', instancePath: inner.path, schemaPath: '', params: {}, message: inner.message }))
    return { error }
  }
}
