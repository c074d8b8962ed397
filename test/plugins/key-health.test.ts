import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { openDatabase } from '../../db/database.ts'
import { createConnectionsRepository } from '../../db/repositories/connections-repository.ts'
import { connectionKeyContext } from '../../db/secret-contexts.ts'
import { checkStoredKeys } from '../../plugins/keyring/key-health.ts'
import { createKeyring, type Keyring, type KeyringKey } from '../../plugins/keyring/keyring.ts'

/**
 * The boot check of stored provider keys decrypts a few samples per key id rather than every key (start-up stays
 * fast with 10,000 portals), and still marks every connection whose key cannot be read when the keys changed.
 */

const KEY_A: KeyringKey = { id: 'a', key: randomBytes(32) }
const KEY_B: KeyringKey = { id: 'b', key: randomBytes(32) }
const CONNECTIONS = 300
const silent = { info: () => undefined, error: () => undefined }

/** The real keyring, counting decryptions. */
function counting (keyring: Keyring): Keyring & { decryptions: number } {
  const counted = {
    decryptions: 0,
    primaryKeyId: keyring.primaryKeyId,
    encrypt: keyring.encrypt,
    needsRekey: keyring.needsRekey,
    decrypt (ciphertext: string, associatedData: string) {
      counted.decryptions++
      return keyring.decrypt(ciphertext, associatedData)
    }
  }
  return counted
}

/** A database with CONNECTIONS connections, the first `underB` of them encrypted under key b, the rest under a. */
async function seeded (t: Test, underB = 0) {
  const handle = openDatabase(':memory:')
  t.teardown(() => handle.close())
  const connections = createConnectionsRepository(handle.driver)
  const keyrings = { a: createKeyring([KEY_A]), b: createKeyring([KEY_B]) }
  for (let portalId = 1; portalId <= CONNECTIONS; portalId++) {
    const keyring = portalId <= underB ? keyrings.b : keyrings.a
    await connections.save({ portalId, provider: 'openai', encryptedKey: keyring.encrypt(`sk-test-${portalId}`, connectionKeyContext(portalId, 'openai')), keyHint: 'xxxx', baseUrl: null, at: 1, actor: 'test' })
  }
  const statuses = async () => (await connections.allCiphertexts()).reduce<Record<string, number>>((count, row) => ({ ...count, [row.status]: (count[row.status] ?? 0) + 1 }), {})
  return { connections, statuses }
}

const check = async (connections: ReturnType<typeof createConnectionsRepository>, keyring: Keyring) => checkStoredKeys({ connections, keyring, clock: () => 2, log: silent })

t.test('with the right keys, a few decryptions per key id check them all', async t => {
  const { connections, statuses } = await seeded(t, 100)
  const keyring = counting(createKeyring([KEY_A, KEY_B]))
  const result = await check(connections, keyring)
  t.same(result, { unreadable: [], readableAgain: [] })
  t.ok(keyring.decryptions <= 6, `at most three per key id, got ${keyring.decryptions}`)
  t.same(await statuses(), { connected: CONNECTIONS })
})

t.test('a key id missing from ENCRYPTION_KEYS marks every connection under it, and only those', async t => {
  const { connections, statuses } = await seeded(t, 100)
  const result = await check(connections, createKeyring([KEY_A]))
  t.equal(result.unreadable.length, 100)
  t.same(await statuses(), { connected: 200, key_unreadable: 100 })
})

t.test('a key id whose key was replaced marks every connection under it', async t => {
  const { connections, statuses } = await seeded(t)
  const result = await check(connections, createKeyring([{ id: 'a', key: randomBytes(32) }]))
  t.equal(result.unreadable.length, CONNECTIONS)
  t.same(await statuses(), { key_unreadable: CONNECTIONS })
})

t.test('once the key is back, each unreadable connection is checked and connected again', async t => {
  const { connections, statuses } = await seeded(t, 100)
  await check(connections, createKeyring([KEY_A]))
  const keyring = counting(createKeyring([KEY_A, KEY_B]))
  const result = await check(connections, keyring)
  t.equal(result.readableAgain.length, 100)
  t.same(await statuses(), { connected: CONNECTIONS })
})
