/**
 * Nothing a CRM record, a model's answer or a workflow's JSON Schema holds may make our pattern matching slow
 * (issue 8, items 1 to 3): the service runs every portal on one event loop.
 *
 * No timed assertions. Each adversarial input runs in a worker thread with a deadline of DEADLINE_MS, far above
 * what linear work on it costs (a few milliseconds) and far below what the backtracking code it replaced took
 * (from 30 seconds to hours on these sizes): a regression fails the test, instead of passing slowly on a fast
 * machine or hanging the suite. The JSON Schema case also checks, by construction, that user patterns run on RE2.
 */

import t from 'tap'
import { Worker } from 'node:worker_threads'
import { RE2JS } from 're2js'
import { ajvFor, linearRegExp } from '../../src/actions/json-schema-validator.ts'
import { MAX_PROMPT_CHARACTERS } from '../../src/actions/render-prompt.ts'
import { runnable, TEST_EXTENSION } from '../helpers/repository.ts'

const DEADLINE_MS = 5_000

type Outcome = { finished: true, value: unknown } | { finished: true, error: { code: unknown, message: string } } | { finished: false }

// Run from its source, the worker registers tsx itself: worker threads started from code do not inherit the
// loaders of the process that starts them. Compiled, it imports the compiled module.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
Promise.resolve(workerData.tsx === undefined ? undefined : import(workerData.tsx))
  .then(api => { api?.register(); return import(workerData.module) })
  .then(loaded => {
    parentPort.once('message', args => {
      try {
        parentPort.postMessage({ value: loaded[workerData.name](...args) })
      } catch (error) {
        parentPort.postMessage({ error: { code: error.code, message: error.message } })
      }
    })
    parentPort.postMessage('ready')
  })`

/**
 * Calls `name` from the module at `modulePath` (relative to this file) with `args` in a worker thread. The
 * deadline starts once the module is loaded, so start-up and compilation are not counted; past it the worker is
 * terminated, which interrupts even a regular expression in the middle of backtracking.
 */
async function callWithDeadline (modulePath: string, name: string, args: unknown[]): Promise<Outcome> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { ...(TEST_EXTENSION === '.ts' ? { tsx: import.meta.resolve('tsx/esm/api') } : {}), module: new URL(runnable(modulePath), import.meta.url).href, name }
  })
  try {
    return await new Promise<Outcome>((resolve, reject) => {
      let deadline: NodeJS.Timeout | undefined
      worker.on('error', reject)
      worker.on('message', (message: 'ready' | { value: unknown } | { error: { code: unknown, message: string } }) => {
        if (message === 'ready') {
          deadline = setTimeout(() => resolve({ finished: false }), DEADLINE_MS)
          worker.postMessage(args)
          return
        }
        clearTimeout(deadline)
        resolve({ finished: true, ...message })
      })
    })
  } finally {
    await worker.terminate()
  }
}

const RENDER_PROMPT = './../../src/actions/render-prompt.ts'
const OUTPUT_FORMAT = './../../src/actions/output-format.ts'

t.test('JSON Schema patterns run on RE2, so a catastrophic pattern cannot backtrack', async t => {
  const schema = { type: 'object', properties: { x: { type: 'string', pattern: '^(a+)+$' } }, patternProperties: { '^(b+)+$': { type: 'string' } } }
  for (const dialect of [undefined, 'http://json-schema.org/draft-07/schema#', 'https://json-schema.org/draft/2019-09/schema']) {
    const ajv = ajvFor(dialect === undefined ? schema : { ...schema, $schema: dialect })
    t.equal(ajv.opts.code.regExp, linearRegExp, `${dialect ?? '2020-12'}: Ajv compiles patterns with the linear engine`)
  }
  t.ok(linearRegExp('^(a+)+$', 'u') instanceof RE2JS, 'the engine returns RE2 programs, not RegExp')

  // 28 `a`s took about 20 seconds on the native RegExp; every extra one doubles that.
  const answer = JSON.stringify({ x: 'a'.repeat(30) + '!', [`${'b'.repeat(30)}!`]: 1 })
  const outcome = await callWithDeadline(OUTPUT_FORMAT, 'parseAnswer', ['json', answer, { schema }])
  t.same(outcome, { finished: true, value: { ok: false, problem: 'The JSON does not match the schema: /x must match pattern "^(a+)+$".' } })
})

t.test('record data: a "<" followed by a long run of spaces is neutralised in linear time', async t => {
  const value = '<' + ' '.repeat(190_000)
  const outcome = await callWithDeadline(RENDER_PROMPT, 'renderPrompt', ['{{a}}', { a: value }])
  t.same(outcome, { finished: true, value: { prompt: `<record-data name="a">${value}</record-data>`, unresolved: [], recordData: true } })

  const tagAfterSpaces = await callWithDeadline(RENDER_PROMPT, 'renderPrompt', ['{{a}}', { a: `<${' '.repeat(100_000)}/ record data` }])
  t.match(tagAfterSpaces, { finished: true, value: { prompt: /^<record-data name="a">&lt; {100000}\/ record data<\/record-data>$/ } }, 'and a tag spelled across the spaces is still caught')
})

t.test('record data longer than the prompt limit is refused before any pattern reads it', async t => {
  const outcome = await callWithDeadline(RENDER_PROMPT, 'renderPrompt', ['{{a}}', { a: '<' + ' '.repeat(1_048_576) }])
  t.match(outcome, { finished: true, error: { code: 'INVALID_INPUT', message: new RegExp(`at least 1,048,\\d{3} characters long.*limit is ${MAX_PROMPT_CHARACTERS.toLocaleString('en-US')}`) } })
})

t.test('model answers: fences, punctuation, numbers and choices are read in linear time', async t => {
  const cases: Array<{ name: string, args: unknown[], value: unknown }> = [
    {
      name: 'an opening fence followed by spaces and no closing fence',
      args: ['text', '```\n' + ' '.repeat(200_000) + 'x'],
      value: { ok: true, fields: {}, response: ('```\n' + ' '.repeat(200_000) + 'x').slice(0, 65_536) }
    },
    {
      name: 'a fence closed after a long run of spaces and tabs',
      args: ['text', '```\nHello' + ' \t'.repeat(100_000) + '\n```'],
      value: { ok: true, fields: {}, response: 'Hello' }
    },
    {
      name: 'punctuation between two letters (the surrounding-punctuation cleanup)',
      args: ['boolean', 'x' + '!'.repeat(200_000) + 'x'],
      value: { ok: false, problem: 'The answer is not true or false.' }
    },
    {
      name: 'a number with a long run of zeros',
      args: ['number', '0.' + '0'.repeat(200_000) + '1'],
      value: { ok: true, fields: { responseNumber: '0.' + '0'.repeat(200_000) + '1' }, response: ('0.' + '0'.repeat(200_000) + '1').slice(0, 65_536) }
    },
    {
      name: 'one choice named a hundred thousand times',
      args: ['choice', 'a '.repeat(100_000), { choices: ['a', 'b'] }],
      value: { ok: true, fields: { responseChoice: 'a' }, response: 'a '.repeat(100_000).trim().slice(0, 65_536) }
    }
  ]
  for (const testCase of cases) {
    t.same(await callWithDeadline(OUTPUT_FORMAT, 'parseAnswer', testCase.args), { finished: true, value: testCase.value }, testCase.name)
  }
})

t.test('an answer far longer than anything HubSpot takes is refused before any pattern reads it', async t => {
  const outcome = await callWithDeadline(OUTPUT_FORMAT, 'parseAnswer', ['boolean', 'x' + '!'.repeat(1_000_000) + 'x'])
  t.match(outcome, { finished: true, value: { ok: false, problem: /^The answer is 1000002 characters long; at most \d+ are read\.$/ } })
})
