import { Type, type Static } from '@sinclair/typebox'
import { ExecutionSchema } from './executions.ts'

/**
 * What the page's "Test" sends. The action keys come from the built-in action list in src/actions, which a schema
 * may not import, so the route passes them in.
 */
export const invokeBodySchema = <Action extends string>(actions: readonly Action[]) => Type.Object({
  action: Type.Optional(Type.Union(actions.map(key => Type.Literal(key)), { description: 'default custom-llm' })),
  /** The action's input fields, exactly as a workflow would fill them in. */
  inputFields: Type.Record(Type.String(), Type.String({ maxLength: 200_000 })),
  /** Stand-in record properties for `{{propertyName}}` placeholders. */
  properties: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 100_000 })))
}, {
  additionalProperties: false,
  examples: [{ action: 'custom-llm', inputFields: { provider: 'openai', model: 'gpt-4o-mini', prompt: 'Summarise {{company}} in one line.' }, properties: { company: 'Acme' } }]
})
export type InvokeBody = Static<ReturnType<typeof invokeBodySchema<string>>>

export const InvokeResponseSchema = Type.Object({
  state: Type.Union([Type.Literal('SUCCESS'), Type.Literal('FAIL_CONTINUE')]),
  outputFields: Type.Record(Type.String(), Type.String()),
  /** Every setting the model could not honour as asked. */
  adjustments: Type.Array(Type.String()),
  executionId: Type.Optional(Type.Integer()),
  /** The recorded execution: tokens, cost and latency, as the executions list shows it. */
  execution: Type.Optional(ExecutionSchema)
}, { examples: [{ state: 'SUCCESS', outputFields: { answer: 'Acme makes anvils.' }, adjustments: [], executionId: 42 }] })
export type InvokeResponse = Static<typeof InvokeResponseSchema>
