/**
 * The benchmark's OpenAI, run as its own process (`node --import tsx test/bench/stub-server.ts <port> <latencyMs>`)
 * so its work is not counted against the load generator or the service. It answers the same wire format as
 * test/stubs/openai-stub.ts (POST /v1/responses, GET /v1/models, plus POST /v1/chat/completions), with every answer
 * built once at start, and keeps only counters and the latest request: a long run must not grow its memory.
 *
 * `GET /__bench/stats` reads the counters and the latest request, so the benchmark can check that every target
 * really reached the stub and can send the direct target the same body the service sends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { openAIResponse } from '../stubs/openai-stub.ts'

export interface StubStats {
  /** Requests answered, per `METHOD /path`. */
  readonly counts: Record<string, number>
  /** The latest generation request (Responses or Chat Completions), as received. */
  readonly last?: { readonly path: string, readonly headers: Record<string, string | string[] | undefined>, readonly body: string }
}

const port = Number(process.argv[2] ?? 0)
const latencyMs = Number(process.argv[3] ?? 0)

const MODELS = [
  { id: 'gpt-5.4', object: 'model', created: 1772668800, owned_by: 'system' },
  { id: 'gpt-4.1', object: 'model', created: 1744316542, owned_by: 'system' },
  { id: 'gpt-4.1-mini', object: 'model', created: 1744316542, owned_by: 'system' }
]

const CHAT_COMPLETION = {
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1764000000,
  model: 'gpt-5.4',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Welcome aboard, Ada!', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 }
}

const answers: Record<string, Buffer> = {
  'POST /v1/responses': Buffer.from(JSON.stringify(openAIResponse('Welcome aboard, Ada!', { model: 'gpt-5.4' }))),
  'POST /v1/chat/completions': Buffer.from(JSON.stringify(CHAT_COMPLETION)),
  'GET /v1/models': Buffer.from(JSON.stringify({ object: 'list', data: MODELS }))
}
const GENERATIONS = new Set(['POST /v1/responses', 'POST /v1/chat/completions'])

const counts: Record<string, number> = {}
let last: StubStats['last']

function send (response: ServerResponse, status: number, body: Buffer): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length })
  response.end(body)
}

function handle (request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '/').split('?')[0] ?? '/'
  const route = `${request.method ?? 'GET'} ${path}`
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    if (route === 'GET /__bench/stats') {
      send(response, 200, Buffer.from(JSON.stringify({ counts, last } satisfies StubStats)))
      return
    }
    counts[route] = (counts[route] ?? 0) + 1
    const answer = answers[route]
    if (answer === undefined) {
      send(response, 404, Buffer.from(JSON.stringify({ error: { message: `no route ${route}`, type: 'invalid_request_error', param: null, code: null } })))
      return
    }
    if (GENERATIONS.has(route)) last = { path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') }
    if (latencyMs > 0) setTimeout(() => send(response, 200, answer), latencyMs)
    else send(response, 200, answer)
  })
}

const server = createServer(handle)
// Longer than any pause between two rounds, so a keep-alive connection is not closed under a client's feet.
server.keepAliveTimeout = 65_000
server.listen(port, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
