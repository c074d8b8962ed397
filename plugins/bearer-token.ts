import { createHash, timingSafeEqual } from 'node:crypto'

/** `missing`: no `Authorization: Bearer …` header at all; `wrong`: a token that is not the expected one. */
export type BearerTokenCheck = 'ok' | 'missing' | 'wrong'

/**
 * Whether `given` is `expected`, in constant time: both sides are hashed first, so the comparison takes as long
 * whatever the lengths and however much of a guess is right.
 */
export function sameSecret (given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest())
}

/** A check of `Authorization: Bearer <token>` against one expected token, in constant time. */
export function bearerTokenCheck (expectedToken: string): (authorization: string | undefined) => BearerTokenCheck {
  return authorization => {
    const match = /^Bearer (.+)$/i.exec(authorization ?? '')
    // Compared even when there is no header, so a missing token takes the same time as a wrong one.
    const same = sameSecret(match?.[1]?.trim() ?? '', expectedToken)
    if (match === null) return 'missing'
    return same ? 'ok' : 'wrong'
  }
}
