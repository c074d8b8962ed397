import { randomUUID } from 'node:crypto'
import type { AssistantRow } from '../../db/repositories/assistants-repository.ts'
import type { ReasoningEffort } from '../../providers/contract.ts'
import { AppError, quoteExcerpt } from '../../plugins/errors.ts'
import type { Assistant, AssistantInput } from '../schemas/admin/assistants.ts'
import type { ActionContext } from './action-context.ts'
import { findProvider } from './connections.ts'

/**
 * Saved assistants: a name, model, instructions, temperature and reasoning effort, kept here and run through
 * OpenAI's Responses API. OpenAI shut its Assistants API down on 2026-08-26 (and prompt objects on 2026-11-30),
 * so the configuration lives in this service, as OpenAI's migration guide recommends.
 */
export const ASSISTANT_PROVIDER = 'openai'

export function assistantView (row: AssistantRow): Assistant {
  return {
    id: row.id,
    name: row.name,
    model: row.model,
    instructions: row.instructions,
    temperature: row.temperature,
    reasoningEffort: (row.reasoningEffort as ReasoningEffort | null) ?? null,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString()
  }
}

/** The portal's saved assistants, as the admin API shows them. */
export async function listAssistants (context: ActionContext, portalId: number): Promise<Assistant[]> {
  return (await context.repositories.assistants.list(portalId)).map(assistantView)
}

export async function findAssistant (context: ActionContext, portalId: number, id: string): Promise<AssistantRow> {
  const row = await context.repositories.assistants.find(portalId, id)
  if (row === undefined) throw new AppError('ASSISTANT_NOT_FOUND', `Portal ${portalId} has no assistant ${quoteExcerpt(id)}. Pick one of the portal's saved assistants (GET /api/portals/${portalId}/assistants).`)
  return row
}

function fields (context: ActionContext, input: AssistantInput) {
  const name = input.name.trim()
  const model = input.model.trim()
  if (name === '' || model === '') throw new AppError('INVALID_INPUT', 'An assistant needs a name and a model.')
  const capabilities = findProvider(context, ASSISTANT_PROVIDER).capabilities(model)
  if (input.reasoningEffort != null && capabilities.reasoningEfforts.length === 0) {
    throw new AppError('INVALID_INPUT', `${model} has no reasoning-effort setting; leave reasoningEffort empty.`)
  }
  if (input.temperature != null && !capabilities.temperature) {
    throw new AppError('INVALID_INPUT', `${model} does not accept a temperature; leave temperature empty.`)
  }
  return { name, model, instructions: input.instructions, temperature: input.temperature ?? null, reasoningEffort: input.reasoningEffort ?? null }
}

export async function createAssistant (context: ActionContext, portalId: number, input: AssistantInput, actor: string): Promise<Assistant> {
  return assistantView(await context.repositories.assistants.create(portalId, `asst_${randomUUID().replace(/-/g, '').slice(0, 20)}`, fields(context, input), actor, context.clock()))
}

export async function updateAssistant (context: ActionContext, portalId: number, id: string, input: AssistantInput, actor: string): Promise<Assistant> {
  const row = await context.repositories.assistants.update(portalId, id, fields(context, input), actor, context.clock())
  return assistantView(row ?? await findAssistant(context, portalId, id))
}

export async function deleteAssistant (context: ActionContext, portalId: number, id: string, actor: string): Promise<void> {
  if (!await context.repositories.assistants.remove(portalId, id, actor, context.clock())) await findAssistant(context, portalId, id)
}
