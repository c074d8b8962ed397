import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { OPENAI_GOOD_KEY, openAIResponse } from '../stubs/openai-stub.ts'
import { sendOversizeBody } from '../stubs/oversize-stub.ts'

export type Misbehaviour = 'stall-mid-body' | 'reset-mid-body' | 'malformed-json' | 'oversize-body'

/** A well-formed Responses answer whose text is the oversize filler, split around it. */
const [OVERSIZE_PREFIX = '', OVERSIZE_SUFFIX = ''] = JSON.stringify(openAIResponse('FILLER')).split('FILLER')

export interface MisbehavingOpenAI {
  readonly baseUrl: string
  /** Generation requests received. */
  calls: number
  /** Body bytes of generations the sockets accepted (oversize-body). */
  sent: number
  mode: Misbehaviour
  close (): Promise<void>
}

/**
 * An OpenAI that lists models (so a key can be connected) and then misbehaves at the socket level on generations,
 * which the shared stub server cannot do: headers sent and the body never finished, the socket cut halfway
 * through, JSON that does not parse, or a well-formed answer of 80 MB.
 */
export async function startMisbehavingOpenAI (mode: Misbehaviour): Promise<MisbehavingOpenAI> {
  const open = new Set<ServerResponse>()
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      if (request.headers.authorization !== `Bearer ${OPENAI_GOOD_KEY}`) { response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}'); return }
      if (request.method === 'GET') { response.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"gpt-4.1","object":"model","created":1,"owned_by":"system"}]}'); return }
      stub.calls++
      if (stub.mode === 'oversize-body') {
        open.add(response)
        void sendOversizeBody(response, { prefix: OVERSIZE_PREFIX, suffix: OVERSIZE_SUFFIX, onSent: bytes => { stub.sent += bytes } })
        return
      }
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' })
      if (stub.mode === 'malformed-json') { response.end('{"id":"resp_1","output":[{"type":"message",' + ' '.repeat(358)); return }
      response.write('{"id":"resp_1","object":"response","output":[')
      if (stub.mode === 'reset-mid-body') setTimeout(() => response.socket?.destroy(), 20)
      else open.add(response)
    })
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const stub: MisbehavingOpenAI = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls: 0,
    sent: 0,
    mode,
    async close () {
      for (const response of open) response.destroy()
      server.closeAllConnections()
      await new Promise<void>(done => server.close(() => done()))
    }
  }
  return stub
}
