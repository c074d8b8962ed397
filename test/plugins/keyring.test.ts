import { randomBytes } from 'node:crypto'
import t from 'tap'
import { createKeyring, keyHint, parseKeyring } from '../../plugins/keyring/keyring.ts'

const keyA = { id: 'a', key: randomBytes(32) }
const keyB = { id: 'b', key: randomBytes(32) }
const context = 'portal:1/provider:openai'

t.test('round trip, with a fresh IV each time', async t => {
  const keyring = createKeyring([keyA])
  const first = keyring.encrypt('sk-secret', context)
  const second = keyring.encrypt('sk-secret', context)
  t.not(first, second)
  t.match(first, /^v1\.a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
  t.equal(keyring.decrypt(first, context), 'sk-secret')
  t.notMatch(first, 'secret')
})

t.test('tampering and wrong associated data are refused', async t => {
  const keyring = createKeyring([keyA])
  const ciphertext = keyring.encrypt('sk-secret', context)
  const parts = ciphertext.split('.')
  const body = Buffer.from(parts[3]!, 'base64url')
  body[0] = body[0]! ^ 1
  t.throws(() => keyring.decrypt([...parts.slice(0, 3), body.toString('base64url')].join('.'), context), /authentication/)
  t.throws(() => keyring.decrypt(ciphertext, 'portal:2/provider:openai'), /authentication/, 'copied to another portal')
  t.throws(() => keyring.decrypt(ciphertext, 'portal:1/provider:anthropic'), /authentication/, 'copied to another provider')
  t.throws(() => keyring.decrypt('v2.a.x.y', context), /format/)
  t.throws(() => keyring.decrypt('v1.a.x', context), /format/)
  t.throws(() => keyring.decrypt('v1.a.AAAA.AA', context), /truncated/)
})

t.test('rotation: the first key encrypts, every key decrypts, and needsRekey spots old ciphertexts', async t => {
  const old = createKeyring([keyA])
  const oldCiphertext = old.encrypt('sk-secret', context)
  const rotated = createKeyring([keyB, keyA])
  t.equal(rotated.decrypt(oldCiphertext, context), 'sk-secret')
  t.equal(rotated.needsRekey(oldCiphertext), true)
  const fresh = rotated.encrypt('sk-secret', context)
  t.match(fresh, /^v1\.b\./)
  t.equal(rotated.needsRekey(fresh), false)
  t.throws(() => createKeyring([keyB]).decrypt(oldCiphertext, context), /key "a", which is not configured/)
})

t.test('parsing settings never echoes a key and names the variable', async t => {
  const good = randomBytes(32).toString('base64')
  t.same(parseKeyring({ ENCRYPTION_KEY: good }).map(key => key.id), ['default'])
  t.same(parseKeyring({ ENCRYPTION_KEYS: `new:${good},old:${randomBytes(32).toString('base64')}` }).map(key => key.id), ['new', 'old'])
  const short = randomBytes(16).toString('base64')
  t.throws(() => parseKeyring({ ENCRYPTION_KEY: short }), { message: /ENCRYPTION_KEY must be base64 of 32 random bytes/ })
  try { parseKeyring({ ENCRYPTION_KEY: short }) } catch (error) { t.notMatch((error as Error).message, short) }
  t.throws(() => parseKeyring({ ENCRYPTION_KEYS: good }), /entry 1 must read <id>:<base64 key>/)
  t.throws(() => parseKeyring({ ENCRYPTION_KEYS: `x:${good},x:${good}` }), /repeated key id/)
  t.throws(() => parseKeyring({}), /ENCRYPTION_KEY is not set/)
  t.throws(() => createKeyring([]), /at least one/)
})

t.test('key hints show four characters, and nothing of short secrets', async t => {
  t.equal(keyHint('sk-abcdefghijklmnop1234'), '1234')
  t.equal(keyHint('short'), '')
})
