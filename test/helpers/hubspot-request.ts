import { Signature } from '@hubspot/api-client'
import { TEST_CLIENT_SECRET, TEST_PUBLIC_URL } from './build-app.ts'

/**
 * Signs a request the way HubSpot does, using HubSpot's own SDK (never our verifier): v3 by default, v2 on request.
 */
export function signedHeaders (method: string, path: string, body: string, options: { version?: 'v2' | 'v3', timestamp?: number, secret?: string } = {}): Record<string, string> {
  const url = TEST_PUBLIC_URL + path
  const clientSecret = options.secret ?? TEST_CLIENT_SECRET
  if (options.version === 'v2') {
    return { 'content-type': 'application/json', 'x-hubspot-signature': Signature.getSignature(method, 'v2', { signature: '', clientSecret, url, requestBody: body }), 'x-hubspot-signature-version': 'v2' }
  }
  const timestamp = options.timestamp ?? Date.now()
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': Signature.getSignature(method, 'v3', { signature: '', clientSecret, url, requestBody: body, timestamp }),
    'x-hubspot-request-timestamp': String(timestamp)
  }
}

let sequence = 0

/** A HubSpot execution body for "Use a custom LLM" (or another action), with a fresh callbackId. */
export function executionBody (portalId: number, inputFields: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  sequence++
  return {
    callbackId: `ap-${portalId}-${Date.now()}-${sequence}`,
    origin: { portalId, actionDefinitionId: 10646377, actionDefinitionVersion: 1 },
    context: { source: 'WORKFLOWS', workflowId: 192814114 },
    object: { objectId: 904, objectType: 'CONTACT', properties: { email: 'ada@example.com', firstname: 'Ada' } },
    inputFields,
    ...extra
  }
}
