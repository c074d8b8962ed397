import { Type, type Static } from '@sinclair/typebox'

/** HubSpot's execution request (reference/hubspot.md §2). Unknown keys are kept: HubSpot adds fields over time. */
export const ExecutionBodySchema = Type.Object({
  callbackId: Type.String({ minLength: 1, maxLength: 500 }),
  origin: Type.Object({
    portalId: Type.Integer({ minimum: 1 }),
    actionDefinitionId: Type.Optional(Type.Integer()),
    actionDefinitionVersion: Type.Optional(Type.Integer())
  }),
  context: Type.Optional(Type.Object({ source: Type.Optional(Type.String({ maxLength: 100 })), workflowId: Type.Optional(Type.Integer()) })),
  /** The date-versioned platform's run context; agent, copilot, standalone and test runs may come without `object`. */
  requestContext: Type.Optional(Type.Object({ source: Type.Optional(Type.String({ maxLength: 100 })) })),
  object: Type.Optional(Type.Object({
    objectId: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    objectType: Type.Optional(Type.String()),
    properties: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
  })),
  inputFields: Type.Record(Type.String(), Type.Unknown())
}, {
  examples: [{
    callbackId: 'ap-102-3456-7890',
    origin: { portalId: 12345, actionDefinitionId: 98765, actionDefinitionVersion: 1 },
    object: { objectId: 501, objectType: 'CONTACT', properties: { firstname: 'Ada' } },
    inputFields: { provider: 'openai', model: 'gpt-4o-mini', prompt: 'Write a one-line greeting for {{firstname}}.' }
  }]
})

export type ExecutionBody = Static<typeof ExecutionBodySchema>

/** Sources HubSpot names (hubspot.md §9A); anything else is kept as `OTHER` so free text never reaches the records. */
const KNOWN_SOURCES: ReadonlySet<string> = new Set(['WORKFLOWS', 'AGENTS', 'COPILOT', 'STANDALONE', 'TEST'])

/** Where the run came from: `requestContext.source`, else the older `context.source`. */
export function executionSource (body: ExecutionBody): string | undefined {
  const source = body.requestContext?.source ?? body.context?.source
  if (source === undefined) return undefined
  const normalized = source.trim().toUpperCase()
  return KNOWN_SOURCES.has(normalized) ? normalized : 'OTHER'
}

export const OutputFieldsResponseSchema = Type.Object({
  outputFields: Type.Record(Type.String(), Type.String())
})

/**
 * HubSpot's options fetch for a dynamic field (reference/hubspot.md §7). The filled-in values are checked against the
 * input limits by the action (`src/actions/input-limits.ts`), the rest here.
 */
export const OptionsBodySchema = Type.Object({
  origin: Type.Object({ portalId: Type.Integer({ minimum: 1 }) }),
  inputFieldName: Type.String({ minLength: 1, maxLength: 200 }),
  inputFields: Type.Optional(Type.Record(Type.String(), Type.Object({ type: Type.Optional(Type.String({ maxLength: 50 })), value: Type.Optional(Type.Unknown()) }))),
  fetchOptions: Type.Optional(Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), after: Type.Optional(Type.String({ maxLength: 50 })) })),
  objectTypeId: Type.Optional(Type.String({ maxLength: 100 }))
}, { examples: [{ origin: { portalId: 12345 }, inputFieldName: 'model', inputFields: { provider: { type: 'STATIC_VALUE', value: 'openai' } }, fetchOptions: { q: 'gpt' } }] })

export const OptionsResponseSchema = Type.Object({
  options: Type.Array(Type.Object({ label: Type.String(), value: Type.String(), description: Type.Optional(Type.String()) })),
  after: Type.Optional(Type.String()),
  searchable: Type.Boolean()
}, { examples: [{ options: [{ label: 'GPT-4o mini', value: 'gpt-4o-mini' }], searchable: true }] })
