import type { Target } from './load.ts'
import type { Child } from './processes.ts'
import { ExecutionPool, RepeatingSource, type PreparedRequest } from './signed-requests.ts'
import type { StubStats } from './stub-server.ts'

/**
 * The three ways to reach the same stub endpoint: directly (the floor), through Portkey's gateway, and through the
 * service as HubSpot calls it. The first two send the very body the service sends the stub, so all three ask the
 * stub for the same work.
 */

export const RESPONSES_PATH = '/v1/responses'
const COMPLETED = '"status":"completed"'
const SUCCEEDED = '"hs_execution_state":"SUCCESS"'

export async function stubStats (stub: Child): Promise<StubStats> {
  const response = await fetch(`${stub.origin}/__bench/stats`, { signal: AbortSignal.timeout(5000) })
  if (response.status !== 200) throw new Error(`${stub.name} stats answered ${response.status}`)
  return await response.json() as StubStats
}

export async function generationsServed (stub: Child): Promise<number> {
  return (await stubStats(stub)).counts[`POST ${RESPONSES_PATH}`] ?? 0
}

/** What the service sent the stub for its latest execution: the body and key the other targets reuse. */
export interface ProviderCall {
  readonly body: string
  readonly authorization: string
}

export async function latestProviderCall (stub: Child): Promise<ProviderCall> {
  const { last } = await stubStats(stub)
  if (last === undefined || last.path !== RESPONSES_PATH) throw new Error(`${stub.name} has seen no ${RESPONSES_PATH} request from the service`)
  return { body: last.body, authorization: String(last.headers.authorization ?? '') }
}

function providerRequest (call: ProviderCall, extraHeaders: Record<string, string> = {}): PreparedRequest {
  return {
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: call.authorization, ...extraHeaders },
    body: call.body
  }
}

export function directTarget (name: string, stub: Child, call: ProviderCall): Target {
  return {
    name,
    origin: stub.origin,
    requests: new RepeatingSource('POST', RESPONSES_PATH, [providerRequest(call)]),
    accepts: body => body.includes(COMPLETED)
  }
}

/** Portkey routes by headers: the provider's adapter (openai) and, with a custom host, where that provider lives. */
export function portkeyTarget (name: string, portkey: Child, stub: Child, call: ProviderCall): Target {
  return {
    name,
    origin: portkey.origin,
    requests: new RepeatingSource('POST', RESPONSES_PATH, [providerRequest(call, { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${stub.origin}/v1` })]),
    accepts: body => body.includes(COMPLETED)
  }
}

/** Signed "Use a custom LLM" executions for portal 1, each with a callbackId never sent before (to a service or a balancer). */
export function serviceTarget (name: string, service: Pick<Child, 'origin'>): Target {
  return { name, origin: service.origin, requests: new ExecutionPool(1), accepts: body => body.includes(SUCCEEDED) }
}
