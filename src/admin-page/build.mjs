// Builds the admin page into dist/admin-page (served at GET / by the service): esbuild bundles main.tsx and
// styles.css into assets/, index.html is written with no inline script or style (the page's CSP is
// default-src 'self'), and every file gets .gz and .br siblings. Fails when the gzip total passes 150 kB.
// Plain Node ESM so it runs after `tsc` without tsx; it replaces dist/admin-page only, never dist/ itself.

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const source = dirname(fileURLToPath(import.meta.url))
const root = join(source, '..', '..')
const out = join(root, 'dist', 'admin-page')
const assets = join(out, 'assets')
const LIMIT_BYTES = 150 * 1000
const TARGET = ['es2020', 'chrome90', 'edge90', 'firefox90', 'safari15']

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>LLM actions admin</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<noscript><p>The admin page needs JavaScript.</p></noscript>
<div id="app"></div>
</body>
</html>
`

const ICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/><path d="M9 22V10h3v9.5h6V22zm11 0V10h3v12z" fill="#fff"/></svg>\n'

rmSync(out, { recursive: true, force: true })
mkdirSync(assets, { recursive: true })

await build({
  absWorkingDir: root,
  entryPoints: [join(source, 'main.tsx')],
  outfile: join(assets, 'app.js'),
  tsconfig: join(source, 'tsconfig.json'),
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: TARGET,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning'
})

await build({
  absWorkingDir: root,
  entryPoints: [join(source, 'styles.css')],
  outfile: join(assets, 'app.css'),
  bundle: true,
  minify: true,
  target: TARGET,
  charset: 'utf8',
  logLevel: 'warning'
})

writeFileSync(join(out, 'index.html'), INDEX_HTML)
writeFileSync(join(assets, 'icon.svg'), ICON_SVG)

function filesUnder (folder) {
  return readdirSync(folder).flatMap(name => {
    const path = join(folder, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

let gzipTotal = 0
let rawTotal = 0
const files = filesUnder(out)
for (const file of files) {
  const content = readFileSync(file)
  const gzipped = gzipSync(content, { level: 9 })
  const brotli = brotliCompressSync(content, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: content.length }
  })
  writeFileSync(`${file}.gz`, gzipped)
  writeFileSync(`${file}.br`, brotli)
  rawTotal += content.length
  gzipTotal += gzipped.length
}

const kilobytes = bytes => `${(bytes / 1000).toFixed(1)} kB`
const over = gzipTotal > LIMIT_BYTES
console.log(`admin page: ${files.length} files in ${relative(root, out)}, ${kilobytes(gzipTotal)} gzip (${kilobytes(rawTotal)} raw), limit ${kilobytes(LIMIT_BYTES)}${over ? ' — TOO LARGE' : ''}`)
if (over) process.exit(1)
