import { createHmac } from 'node:crypto'
import { TEST_CLIENT_SECRET, TEST_PUBLIC_URL } from '../helpers/build-app.ts'
import { signedHeaders } from '../helpers/hubspot-request.ts'

/**
 * v3-signs a body given as bytes, which HubSpot's SDK cannot take (it hashes a string as UTF-8, so bytes that are
 * not UTF-8 could never be signed through it). Text bodies go through the SDK as everywhere else.
 */
export function signedFor (method: string, path: string, body: string | Buffer): Record<string, string> {
  if (typeof body === 'string') return signedHeaders(method, path, body)
  const timestamp = String(Date.now())
  const signature = createHmac('sha256', TEST_CLIENT_SECRET).update(`${method}${TEST_PUBLIC_URL}${path}`, 'utf8').update(body).update(timestamp, 'utf8').digest('base64')
  return { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp }
}
