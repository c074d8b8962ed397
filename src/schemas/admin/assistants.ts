import { Type, type Static } from '@sinclair/typebox'
import { ListOfSchema } from './list-of.ts'

/** Longest model id an assistant or a workflow's model field takes; vendors' ids are well under 100. */
export const MAX_MODEL_ID_CHARACTERS = 200

export const ReasoningEffortSchema = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')])
export type ReasoningEffort = Static<typeof ReasoningEffortSchema>

export const AssistantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  model: Type.String(),
  instructions: Type.String(),
  temperature: Type.Union([Type.Number(), Type.Null()]),
  reasoningEffort: Type.Union([ReasoningEffortSchema, Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String()
}, { examples: [{ id: 'asst_01', name: 'Lead summariser', model: 'gpt-4o-mini', instructions: 'Summarise the lead in two sentences.', temperature: 0.2, reasoningEffort: null, createdAt: '2026-11-02T09:30:00.000Z', updatedAt: '2026-11-02T09:30:00.000Z' }] })
export type Assistant = Static<typeof AssistantSchema>

export const AssistantListSchema = ListOfSchema(AssistantSchema)
export type AssistantList = Static<typeof AssistantListSchema>

/** What a POST or PUT sends: an absent temperature or effort means the model's default, as null does. */
export const AssistantInputSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  model: Type.String({ minLength: 1, maxLength: MAX_MODEL_ID_CHARACTERS }),
  instructions: Type.String({ maxLength: 100_000 }),
  temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
  reasoningEffort: Type.Optional(Type.Union([ReasoningEffortSchema, Type.Null()]))
}, { additionalProperties: false, examples: [{ name: 'Lead summariser', model: 'gpt-4o-mini', instructions: 'Summarise the lead in two sentences.', temperature: 0.2 }] })
export type AssistantInput = Static<typeof AssistantInputSchema>
