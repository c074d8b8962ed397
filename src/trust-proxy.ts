import { isIP } from 'node:net'

/** What Fastify's `trustProxy` takes: none, every hop, the nearest hops by count, or the addresses and ranges to believe. */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean)

/** Longest TRUST_PROXY read: a few hundred load balancers' addresses; longer is a mistake, not a set-up. */
const MAX_LENGTH = 4096

/**
 * TRUST_PROXY as Fastify's server option. It is read where the server is built, before the settings plugin runs,
 * so it is checked here: a value it cannot use stops the boot with one line rather than trusting the wrong hops.
 * Empty or unset trusts no one: X-Forwarded-For is then ignored and the client is the connecting address.
 */
export function trustProxyOption (text: string | undefined): TrustProxy {
  const value = text?.trim() ?? ''
  if (value === '' || value === 'false') return false
  if (value === 'true') return true
  if (value.length > MAX_LENGTH) throw new Error(`TRUST_PROXY is longer than ${MAX_LENGTH} characters`)
  if (/^\d{1,3}$/.test(value)) {
    // A hop count: the nearest `hops` proxies are believed, as Fastify does with a number.
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  const entries = value.split(',').map(entry => entry.trim()).filter(entry => entry !== '')
  for (const entry of entries) {
    if (!isAddressOrRange(entry)) {
      throw new Error(`TRUST_PROXY: "${entry.slice(0, 60)}" is not an IP address or CIDR range (use true, a hop count, or addresses such as 10.0.0.0/8,192.168.1.10)`)
    }
  }
  return entries
}

function isAddressOrRange (entry: string): boolean {
  const slash = entry.indexOf('/')
  if (slash === -1) return isIP(entry) !== 0
  const version = isIP(entry.slice(0, slash))
  const bits = entry.slice(slash + 1)
  if (version === 0 || !/^\d{1,3}$/.test(bits)) return false
  return Number(bits) <= (version === 4 ? 32 : 128)
}
