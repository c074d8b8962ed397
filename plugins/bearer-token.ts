import { createHash, timingSafeEqual } from 'node:crypto'

/** `missing`: no `Authorization: Bearer …` header at all; `wrong`: a token that is not the expected one. */
export type BearerTokenCheck = 'ok' | 'missing' | 'wrong'

/**
 * A check of `Authorization: Bearer <token>` against one expected token, in constant time: both sides are hashed
 * first, so the comparison takes as long whatever the lengths and however much of a guess is right.
 */
export function bearerTokenCheck (expectedToken: string): (authorization: string | undefined) => BearerTokenCheck {
  const expected = createHash('sha256').update(expectedToken).digest()
  return authorization => {
    const match = /^Bearer (.+)$/i.exec(authorization ?? '')
    // Hashed even when there is no header, so a missing token takes the same time as a wrong one.
    const given = createHash('sha256').update(match?.[1]?.trim() ?? '').digest()
    if (match === null) return 'missing'
    return timingSafeEqual(given, expected) ? 'ok' : 'wrong'
  }
}
