import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { builtPageDirectory } from '../../src/routes/admin-page/index.ts'
import { buildApp } from '../helpers/build-app.ts'

/** What the issue allows the page's whole download to weigh, compressed. */
const BUDGET_BYTES = 150 * 1024

const directory = builtPageDirectory()

t.test('the page is built by npm run build (tests run after it)', async t => {
  t.ok(directory, 'dist/admin-page/index.html exists')
})

t.test('GET / serves the page with a CSP that allows only this origin, and no inline code', async t => {
  const built = await buildApp(t)
  const page = await built.app.inject({ method: 'GET', url: '/' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.headers['content-security-policy'], /default-src 'none'; script-src 'self'; style-src 'self'/)
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.equal(page.headers['x-frame-options'], 'DENY')
  t.equal(page.headers['cache-control'], 'no-cache', 'revalidated on every load, so a new build is picked up')
  t.notMatch(page.body, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script')
  t.notMatch(page.body, /<style|\sstyle=|\son[a-z]+=/, 'no inline style or handler')
  t.notMatch(page.body, /(src|href)="(https?:)?\/\//, 'nothing from another host')

  const referenced = [...page.body.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map(match => match[1] ?? '')
  t.ok(referenced.length >= 2, `the page names its script and style: ${referenced.join(', ')}`)
  for (const path of referenced) {
    const asset = await built.app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'br, gzip' } })
    t.equal(asset.statusCode, 200, path)
    t.equal(asset.headers['content-encoding'], 'br', `${path} is sent precompressed`)
  }
  const missing = await built.app.inject({ method: 'GET', url: '/assets/nothing.js' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'NOT_FOUND', 'other paths stay the JSON 404')
  for (const url of ['/assets/..%2F..%2Fsecrets.json', '/assets/..%2Findex.html', '/assets/app.js%00.css', '/index.html', '/assets/.app.js']) {
    const refused = await built.app.inject({ method: 'GET', url })
    t.ok([400, 404].includes(refused.statusCode), `${url} is refused (${refused.statusCode})`)
    t.match(refused.json().code, /^(INVALID_INPUT|NOT_FOUND)$/)
  }
})

t.test('every file says it varies by Accept-Encoding, whether sent as br, gzip or plain', async t => {
  const built = await buildApp(t)
  const variants: Array<[string, string | undefined]> = [['br, gzip', 'br'], ['gzip', 'gzip'], ['identity', undefined]]
  for (const url of ['/', '/assets/app.js', '/assets/app.css']) {
    for (const [accept, encoding] of variants) {
      const response = await built.app.inject({ method: 'GET', url, headers: { 'accept-encoding': accept } })
      t.equal(response.statusCode, 200, `${url} (${accept})`)
      t.equal(response.headers['content-encoding'], encoding, `${url} is sent ${encoding ?? 'plain'}`)
      t.equal(response.headers.vary, 'Accept-Encoding', `${url} (${accept}) varies by Accept-Encoding`)
    }
  }
})

t.test(`the whole download is under ${BUDGET_BYTES / 1024} kB compressed`, async t => {
  if (directory === undefined) return t.fail('not built')
  const files = (function walk (folder: string): string[] {
    return readdirSync(folder).flatMap(name => {
      const path = join(folder, name)
      return statSync(path).isDirectory() ? walk(path) : [path]
    })
  })(directory).filter(path => !/\.(gz|br)$/.test(path))
  const total = files.reduce((sum, path) => sum + gzipSync(readFileSync(path), { level: 9 }).length, 0)
  t.ok(total < BUDGET_BYTES, `${files.length} files, ${(total / 1024).toFixed(1)} kB gzipped`)
})

t.test('without a built page GET / says how to build it', async t => {
  const built = await buildApp(t, {}, { adminPageDirectory: mkdtempSync(join(tmpdir(), 'no-page-')) })
  const response = await built.app.inject({ method: 'GET', url: '/' })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'ADMIN_PAGE_NOT_BUILT')
  t.match(response.json().message, /npm run build/)
})
