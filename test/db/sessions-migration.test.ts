import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import t from 'tap'
import { MIGRATIONS_FOLDER, openDatabase } from '../../db/sqlite/open-sqlite.ts'

t.test('a database with sessions from before they were tied to the admin token migrates, and those sessions end', async t => {
  const directory = t.testdir()
  // The migrations as they were before 0008, so the database starts as an existing deployment's would.
  const earlier = join(directory, 'migrations')
  mkdirSync(join(earlier, 'meta'), { recursive: true })
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> }
  const before = journal.entries.filter(entry => entry.tag < '0008')
  for (const entry of before) copyFileSync(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(earlier, `${entry.tag}.sql`))
  writeFileSync(join(earlier, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: before }))

  const file = join(directory, 'app.db')
  const old = new Database(file)
  migrate(drizzle(old), { migrationsFolder: earlier })
  old.prepare('insert into admin_sessions (id_hash, created_at, expires_at) values (?, ?, ?)').run('a'.repeat(64), 1, Date.now() + 3_600_000)
  old.close()

  const handle = openDatabase(file)
  t.teardown(() => handle.close())
  t.equal(await handle.unavailableReason(), undefined, 'every migration is applied')
  const { driver } = handle
  t.strictSame(await driver.all(driver.db.select().from(driver.tables.adminSessions)), [], 'the session with nothing to check it against is gone')
})
