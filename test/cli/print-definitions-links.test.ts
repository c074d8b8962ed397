import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t, { type Test } from 'tap'
import { run } from '../../src/cli/print-definitions.ts'

// `print-definitions --out DIR --force` writes only inside DIR, whatever links DIR holds: real links in a temp dir.

async function cli (argv: string[]) {
  const out: string[] = []
  const errors: string[] = []
  const code = await run(argv, { env: { PUBLIC_URL: 'https://llm.agency.example' }, stdout: text => out.push(text), stderr: text => errors.push(text), fetch: () => { throw new Error('print-definitions must not fetch') } })
  return { code, out: out.join(''), errors: errors.join('') }
}

/** A fresh temp folder, removed (links and all, never followed) after the test. */
function scratch (t: Test): string {
  const folder = mkdtempSync(join(tmpdir(), 'print-definitions-links-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

/** A folder outside the project with a file and an empty folder a planted link can point at. */
function outside (t: Test) {
  const root = scratch(t)
  writeFileSync(join(root, 'victim.json'), '{"theirs":true}')
  mkdirSync(join(root, 'folder'))
  return { root, victim: join(root, 'victim.json'), folder: join(root, 'folder') }
}

const everything = (folder: string) => readdirSync(folder, { recursive: true, encoding: 'utf8' }).sort()

t.test('--force refuses a project file and a folder that are links to outside: nothing outside written or created', async t => {
  const target = outside(t)
  const directory = scratch(t)
  symlinkSync(target.victim, join(directory, 'hsproject.json'))
  symlinkSync(target.folder, join(directory, 'src'))
  const result = await cli(['--format', 'hsmeta', '--out', directory, '--force'])
  t.not(result.code, 0)
  t.equal(result.out, '')
  t.match(result.errors, `error: ${join(directory, 'hsproject.json')} is a symbolic link`)
  t.equal(readFileSync(target.victim, 'utf8'), '{"theirs":true}', 'the outside file is untouched')
  t.same(everything(target.root), ['folder', 'victim.json'], 'nothing created outside')
  t.same(everything(directory), ['hsproject.json', 'src'], 'nothing written inside either: refused before the first file')
})

t.test('a linked folder anywhere on a path is refused by name, a dangling link too', async t => {
  for (const [link, points] of [['src', 'folder'], ['src/app/workflow-actions', 'folder'], ['src/app/app-hsmeta.json', 'created-by-link.json']] as const) {
    const target = outside(t)
    const directory = scratch(t)
    writeFileSync(join(directory, 'hsproject.json'), '{"mine":true}')
    const linkPath = join(directory, ...link.split('/'))
    mkdirSync(dirname(linkPath), { recursive: true })
    symlinkSync(join(target.root, points), linkPath)
    const result = await cli(['--format', 'hsmeta', '--out', directory, '--force'])
    t.not(result.code, 0, link)
    t.match(result.errors, `${linkPath} is a symbolic link`, link)
    t.same(everything(target.root), ['folder', 'victim.json'], `${link}: nothing created outside`)
    t.equal(readFileSync(join(directory, 'hsproject.json'), 'utf8'), '{"mine":true}', `${link}: nothing written before the refusal`)
  }
})

t.test('a hard link in the folder is replaced, never written through', async t => {
  const target = outside(t)
  const directory = scratch(t)
  linkSync(target.victim, join(directory, 'hsproject.json'))
  mkdirSync(join(directory, 'src'))
  writeFileSync(join(directory, 'notes.txt'), 'keep me')
  const result = await cli(['--format', 'hsmeta', '--out', directory, '--force'])
  t.equal(result.code, 0, result.errors)
  t.equal(readFileSync(target.victim, 'utf8'), '{"theirs":true}', 'the outside file is untouched')
  t.match(JSON.parse(readFileSync(join(directory, 'hsproject.json'), 'utf8')), { name: 'llm-actions' }, 'the project file is written')
  t.equal(readFileSync(join(directory, 'notes.txt'), 'utf8'), 'keep me')
  t.notOk(everything(directory).some(name => name.endsWith('.tmp')), 'no temporary file left')
})
