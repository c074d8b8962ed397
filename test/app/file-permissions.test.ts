import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'

// What the service writes to disk holds ciphertexts, prompts and answers: only the service's own user may read it.

const modeOf = (path: string) => statSync(path).mode & 0o777
const DATABASE_FILES = ['app.db', 'app.db-wal', 'app.db-shm']

t.test('a DATA_DIR the service creates is 0700, and the database files in it 0600', async t => {
  const dataDir = join(t.testdir(), 'nested', 'data')
  // Secrets from the environment or from secrets.json: the folder is created by one or the other first.
  for (const [name, environment] of [['settings from the environment', {}], ['generated secrets.json', { ENCRYPTION_KEY: undefined, ADMIN_TOKEN: undefined }]] as const) {
    const directory = join(dataDir, name.replaceAll(' ', '-'))
    const built = await buildApp(t, { ...environment, DATA_DIR: directory }, { dataDir: directory })
    t.equal(modeOf(directory), 0o700, `${name}: the folder`)
    for (const file of DATABASE_FILES) t.equal(modeOf(join(directory, file)), 0o600, `${name}: ${file}`)
    await built.app.close()
  }
})

t.test('an existing DATA_DIR keeps the mode its operator gave it, but the database files are still 0600', async t => {
  const dataDir = join(t.testdir(), 'data')
  mkdirSync(dataDir)
  chmodSync(dataDir, 0o750)
  const built = await buildApp(t, {}, { dataDir })
  t.equal(modeOf(dataDir), 0o750, 'the folder is left as it was')
  for (const file of DATABASE_FILES) t.equal(modeOf(join(dataDir, file)), 0o600, file)
  await built.app.close()

  chmodSync(join(dataDir, 'app.db'), 0o644)
  const again = await buildApp(t, {}, { dataDir })
  t.equal(modeOf(join(dataDir, 'app.db')), 0o600, 'a file made readable since is tightened again at start')
  await again.app.close()
})
