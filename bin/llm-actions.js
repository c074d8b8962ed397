#!/usr/bin/env node
// The operator CLI, on the compiled service (`npm run build`, which `npm ci` runs through `prepare`).
// Output piped into a reader that stops early (`| head`) is not an error worth a stack trace.
process.stdout.on('error', error => { if (error.code === 'EPIPE') process.exit(0); throw error })
const { main } = await import('../dist/src/cli/index.js')
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  fetch: globalThis.fetch
})
