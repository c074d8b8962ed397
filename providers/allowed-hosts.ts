/**
 * Which origins a connection's `baseUrl` may name: the provider's own `hosts` and the operator's
 * `ALLOWED_PROVIDER_HOSTS`, matched on scheme, host and port together. Matching the host alone let `localhost`
 * admit every port on the machine (`localhost:2375`, the Docker daemon) and `http://`, which sends the key in
 * clear text.
 *
 * An entry is one of
 * - `host`: `https://host` on port 443 only; for a loopback host (`localhost`, `127.x.x.x`, `[::1]`) also
 *   `http://host` on port 80;
 * - `host:port`: `https://host:port`; for a loopback host also `http://host:port`;
 * - `http://host[:port]` or `https://host[:port]`: exactly that origin (a missing port is the scheme's default).
 *   This is the only way to allow clear text to a host that is not loopback.
 * IPv6 hosts are written in brackets (`[::1]:11434`). Anything else (paths, wildcards, credentials) admits nothing.
 */

/** One entry, normalised. */
export interface AllowedOrigin {
  /** Undefined: https, or http too for loopback hosts. */
  readonly scheme?: 'http' | 'https'
  /** As `URL.hostname` writes it: lowercase, punycode, IPv6 in brackets. */
  readonly hostname: string
  /** Undefined: the default port of the URL's scheme. */
  readonly port?: number
}

// Linear by construction: no nested or adjacent overlapping quantifiers.
const ENTRY = /^(?:(https?):\/\/)?(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?\/?$/i
const DEFAULT_PORT: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 }

/** The entry's origin, or undefined when it is not in one of the accepted forms. */
export function parseAllowedOrigin (entry: string): AllowedOrigin | undefined {
  const match = ENTRY.exec(entry.trim())
  if (match === null) return undefined
  const [, scheme, host = '', port] = match
  let hostname: string
  try {
    // The URL parser writes hosts the way it will write the connection's (127.1 → 127.0.0.1, IDN → punycode).
    hostname = new URL(`http://${host}`).hostname
  } catch {
    return undefined
  }
  const portNumber = port === undefined ? undefined : Number(port)
  if (portNumber !== undefined && (portNumber < 1 || portNumber > 65535)) return undefined
  return {
    ...(scheme === undefined ? {} : { scheme: scheme.toLowerCase() as 'http' | 'https' }),
    hostname,
    ...(portNumber === undefined ? {} : { port: portNumber })
  }
}

export function isLoopbackHost (hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

/** Whether `url` (http or https) is an origin one of `entries` admits. Malformed entries admit nothing. */
export function isAllowedOrigin (url: URL, entries: readonly string[]): boolean {
  const scheme = url.protocol === 'https:' ? 'https' : url.protocol === 'http:' ? 'http' : undefined
  if (scheme === undefined) return false
  const port = url.port === '' ? DEFAULT_PORT[url.protocol] : Number(url.port)
  return entries.some(entry => {
    const allowed = parseAllowedOrigin(entry)
    if (allowed === undefined || allowed.hostname !== url.hostname) return false
    const schemeAdmitted = allowed.scheme === undefined ? scheme === 'https' || isLoopbackHost(url.hostname) : allowed.scheme === scheme
    return schemeAdmitted && (allowed.port ?? DEFAULT_PORT[url.protocol]) === port
  })
}
