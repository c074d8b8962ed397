/**
 * `npm run bench`: what this service adds on top of the provider's own latency. Everything runs on loopback
 * against a zero-latency OpenAI stub, so the provider round trip is as small as it can be and the service's
 * share is as visible as it can be. Prints a table and writes test/bench/results/latest.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app from '../../src/app.ts'
import openai from '../../providers/openai/index.ts'
import { buildProvider } from '../helpers/provider-context.ts'
import { TEST_ADMIN_TOKEN, TEST_CLIENT_SECRET, TEST_ENCRYPTION_KEY } from '../helpers/build-app.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'
import { Signature } from '@hubspot/api-client'

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1000)
const WARMUP = 100

function summarize (samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!
  return { mean: samples.reduce((sum, value) => sum + value, 0) / samples.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) }
}

function settledHeap (): number {
  (globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed
}

async function measure (label: string, run: (index: number) => Promise<void>) {
  for (let index = 0; index < WARMUP; index++) await run(-index - 1)
  const samples: number[] = []
  for (let index = 0; index < ITERATIONS; index++) {
    const started = performance.now()
    await run(index)
    samples.push(performance.now() - started)
  }
  // The stub records every request for tests; the benchmark must not count that as the service's memory.
  stub.requests.length = 0
  return { label, ...summarize(samples) }
}

const stub = await startOpenAIStub()
const dataDir = mkdtempSync(join(tmpdir(), 'llm-actions-bench-'))
const server = Fastify({ logger: false })
await server.register(fp(app), {
  environment: {
    DATA_DIR: dataDir, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ADMIN_TOKEN: TEST_ADMIN_TOKEN, HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    OPENAI_BASE_URL: stub.baseUrl, LOG_LEVEL: 'silent', RATE_LIMIT_PER_PORTAL: '1000000', PORT: '0'
  }
})
const address = await server.listen({ port: 0, host: '127.0.0.1' })
const publicUrl = server.config.publicUrl
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' }
await fetch(`${address}/api/portals/1/connections/openai`, { method: 'PUT', headers: admin, body: JSON.stringify({ apiKey: OPENAI_GOOD_KEY }) })

const provider = buildProvider(openai, { baseUrl: stub.baseUrl })
const heapBefore = settledHeap()
const rssBefore = process.memoryUsage().rss

const direct = await measure('provider call alone (SDK → stub)', async () => {
  await provider.invoke({ apiKey: OPENAI_GOOD_KEY, modelId: 'gpt-5.4', prompt: 'Write a welcome for Ada.', signal: AbortSignal.timeout(10_000) })
})

let callback = 0
const execute = await measure('signed execution (HubSpot → service → stub)', async () => {
  const path = '/hubspot/actions/custom-llm'
  const body = JSON.stringify({
    callbackId: `ap-1-bench-${callback++}`,
    origin: { portalId: 1 },
    object: { objectId: 1, objectType: 'CONTACT', properties: { firstname: 'Ada' } },
    inputFields: { provider: 'openai', model: 'gpt-5.4', prompt: 'Write a welcome for {{firstname}}.' }
  })
  const timestamp = Date.now()
  const signature = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: TEST_CLIENT_SECRET, url: publicUrl + path, requestBody: body, timestamp })
  const response = await fetch(address + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) }, body })
  if (response.status !== 200) throw new Error(`execution answered ${response.status}: ${await response.text()}`)
  await response.arrayBuffer()
})

const options = await measure('model options (cached list)', async () => {
  const path = '/hubspot/actions/custom-llm/options'
  const body = JSON.stringify({ origin: { portalId: 1 }, inputFieldName: 'model', inputFields: { provider: { type: 'STATIC_VALUE', value: 'openai' } } })
  const timestamp = Date.now()
  const signature = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: TEST_CLIENT_SECRET, url: publicUrl + path, requestBody: body, timestamp })
  const response = await fetch(address + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) }, body })
  await response.arrayBuffer()
})

const heapAfter = settledHeap()
const rssAfter = process.memoryUsage().rss
const overhead = { label: 'service overhead (execution − provider call)', mean: execute.mean - direct.mean, p50: execute.p50 - direct.p50, p95: execute.p95 - direct.p95, p99: execute.p99 - direct.p99 }
const rows = [direct, execute, overhead, options]

console.log(`\n${ITERATIONS} iterations each after ${WARMUP} warm-up, Node ${process.version}, loopback stub with no latency\n`)
console.log(`${'measure'.padEnd(48)} ${'mean ms'.padStart(9)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'p99 ms'.padStart(9)}`)
for (const row of rows) {
  console.log(`${row.label.padEnd(48)} ${row.mean.toFixed(2).padStart(9)} ${row.p50.toFixed(2).padStart(9)} ${row.p95.toFixed(2).padStart(9)} ${row.p99.toFixed(2).padStart(9)}`)
}
console.log(`\nheap after GC: ${(heapBefore / 2 ** 20).toFixed(1)} MiB before, ${(heapAfter / 2 ** 20).toFixed(1)} MiB after ${ITERATIONS * 3 + WARMUP * 3} more calls; resident ${(rssBefore / 2 ** 20).toFixed(1)} → ${(rssAfter / 2 ** 20).toFixed(1)} MiB`)

const resultsDir = join(import.meta.dirname, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, iterations: ITERATIONS, rows, memory: { heapBefore, heapAfter, rssBefore, rssAfter } }, null, 2) + '\n')
console.log(`written: ${join(resultsDir, 'latest.json')}`)

await server.close()
await stub.close()
rmSync(dataDir, { recursive: true, force: true })
