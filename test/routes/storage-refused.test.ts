import t from 'tap'
import { DrizzleQueryError } from 'drizzle-orm/errors'
import { isStorageFailure } from '../../db/storage-failure.ts'
import { buildApp } from '../helpers/build-app.ts'
import { refuseWrites } from '../../db/sqlite/sqlite-faults.ts'

// A write the database refuses (disk full, read-only, locked) is the storage failing, not a bug: the client is told
// to try again later (503 STORAGE_UNAVAILABLE with Retry-After), never 500. test/faults/data-dir-full.test.ts does
// the same on real full and read-only file systems.

t.test('an admin write the database refuses is 503 STORAGE_UNAVAILABLE with Retry-After; reads still answer', async t => {
  const { app, admin } = await buildApp(t)
  refuseWrites(app.database, true)
  const refused = await app.inject({ method: 'PUT', url: '/api/portals/4242/budget', headers: admin, payload: { monthlyLimitUsd: 50 } })
  t.equal(refused.statusCode, 503, refused.body)
  t.equal(refused.json().code, 'STORAGE_UNAVAILABLE', 'STORAGE_UNAVAILABLE, not INTERNAL')
  t.ok(Number(refused.headers['retry-after']) >= 1, 'with Retry-After')
  t.notMatch(refused.body, /SQLITE|Failed query/, 'no internals')
  t.equal((await app.inject({ url: '/api/portals/4242/budget', headers: admin })).statusCode, 200, 'a read still answers')
  refuseWrites(app.database, false)
  t.equal((await app.inject({ method: 'PUT', url: '/api/portals/4242/budget', headers: admin, payload: { monthlyLimitUsd: 50 } })).statusCode, 200, 'written once it can be')
})

t.test('storage failures are told apart from bugs, through drizzle\'s wrapper too', async t => {
  const sqliteError = (code: string) => Object.assign(new Error(code), { code })
  t.ok(isStorageFailure(sqliteError('SQLITE_FULL')), 'a full disk')
  t.ok(isStorageFailure(sqliteError('SQLITE_IOERR_WRITE')), 'an extended code')
  t.ok(isStorageFailure(new DrizzleQueryError('insert into …', [], sqliteError('SQLITE_READONLY'))), 'wrapped by drizzle')
  t.notOk(isStorageFailure(sqliteError('SQLITE_CONSTRAINT_UNIQUE')), 'a constraint is a bug to see')
  t.notOk(isStorageFailure(sqliteError('SQLITE_IOERRATIC')), 'a prefix alone is not a code')
  t.notOk(isStorageFailure(new Error('plain')), 'an error without a code')
  t.notOk(isStorageFailure(undefined), 'nothing')
})
