import { eventually, type DurableSetup, type InjectResponse } from './durable-setup.ts'

/** A batch window short enough for a test: the queue sends what waited one second. */
export const ECONOMY_WINDOW = { ECONOMY_BATCH_WINDOW_MS: '1000' }

/** `count` executions of "Use a custom LLM" with `processing: economy` (and `inputs`), delivered together; their HTTP answers. */
export async function economyExecutions (setup: DurableSetup, count: number, inputs: Record<string, string> = {}): Promise<InjectResponse[]> {
  return await Promise.all(Array.from({ length: count }, async (_, index) =>
    await setup.execute(setup.body({ processing: 'economy', prompt: `Say hi to {{firstname}}, number ${index}`, ...inputs }))))
}

/** The batches the OpenAI stub received, once the queue has sent `count` of them. */
export async function batchesSent (setup: DurableSetup, count: number) {
  await eventually(`${count} batch(es) to be submitted`, () => setup.openai.batches.list().length >= count, 20_000)
  return setup.openai.batches.list()
}

/** Resolves once every economy execution of the setup's portal has its outcome delivered to HubSpot. */
export async function economyDelivered (setup: DurableSetup, portalId: number, count: number): Promise<void> {
  await eventually(`${count} economy completions to be delivered`, async () => {
    const economy = (await setup.app.repositories.executions.recent(portalId, 100)).filter(row => row.processing === 'economy')
    return economy.length === count && economy.every(row => row.completionState === 'delivered')
  }, 30_000)
}

/**
 * Whether an answer asks HubSpot to wait the two days of an economy BLOCK: counted from when the execution started,
 * so a loaded machine that answers a second later asks for a second less.
 */
export function waitsTwoDays (duration: unknown): boolean {
  const seconds = /^PT(\d+)S$/.exec(String(duration))?.[1]
  return seconds !== undefined && Number(seconds) > 172_800 - 60 && Number(seconds) <= 172_800
}
