#!/usr/bin/env node
// The operator CLI. The service is TypeScript run through tsx, so the entry registers tsx and hands over.
import { register } from 'tsx/esm/api'

register()
// Output piped into a reader that stops early (`| head`) is not an error worth a stack trace.
process.stdout.on('error', error => { if (error.code === 'EPIPE') process.exit(0); throw error })
const { main } = await import('../src/cli/index.ts')
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  fetch: globalThis.fetch
})
