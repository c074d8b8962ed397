import { eq, lt } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { auditEvents, oauthStates, oauthTokens } from '../schema.ts'
import { committedRow } from './committed-row.ts'
import { createPortalsRepository } from './portals-repository.ts'

export type OAuthTokenRow = typeof oauthTokens.$inferSelect

/** A portal's HubSpot tokens, already encrypted by the caller (keyring, `oauthTokenContext`). */
export interface SaveTokens {
  readonly portalId: number
  readonly encryptedAccessToken: string
  readonly encryptedRefreshToken: string
  readonly expiresAt: number
  /** Space-separated scopes HubSpot granted, when it said. */
  readonly scopes: string | null
  readonly at: number
}

/**
 * HubSpot OAuth: the tokens of installed portals (ciphertexts only) and the single-use `state` nonces of installs
 * in progress. Install and "must re-install" change tokens, portal status and the audit trail in one transaction.
 */
export function createOAuthRepository (db: AppDatabase) {
  const portals = createPortalsRepository(db)

  // Inserts or replaces the token row; the portal row must exist (foreign key).
  const upsertTokens = (executor: Pick<AppDatabase, 'insert'>, input: SaveTokens): void => {
    const values = {
      encryptedAccessToken: input.encryptedAccessToken,
      encryptedRefreshToken: input.encryptedRefreshToken,
      expiresAt: input.expiresAt,
      scopes: input.scopes,
      updatedAt: input.at
    }
    executor.insert(oauthTokens).values({ portalId: input.portalId, ...values })
      .onConflictDoUpdate({ target: oauthTokens.portalId, set: values }).run()
  }

  return {
    findTokens (portalId: number): OAuthTokenRow | undefined {
      return db.select().from(oauthTokens).where(eq(oauthTokens.portalId, portalId)).get()
    },

    /** Replaces the tokens of a portal (after a refresh); its install status is left alone. */
    saveTokens (input: SaveTokens): void {
      db.transaction(tx => {
        portals.ensure(input.portalId, tx)
        upsertTokens(tx, input)
      })
    },

    /** A completed install: tokens stored, portal `installed`, audit event `install`, all or nothing. */
    recordInstall (input: SaveTokens & { readonly actor: string }): void {
      db.transaction(tx => {
        // better-sqlite3 runs a transaction on its one connection, so the portals repository's statement (on `db`)
        // is inside this transaction too.
        portals.setInstallStatus(input.portalId, 'installed', input.at)
        upsertTokens(tx, input)
        tx.insert(auditEvents).values({ portalId: input.portalId, action: 'install', actor: input.actor, at: input.at, detail: input.scopes }).run()
      })
    },

    /**
     * HubSpot refused the refresh token (app uninstalled, access revoked): the tokens are erased, the portal marked
     * `reinstall_required` and the reason audited, all or nothing. `detail` names HubSpot's error, never a token.
     */
    recordReinstallRequired (portalId: number, actor: string, at: number, detail: string): void {
      db.transaction(tx => {
        tx.delete(oauthTokens).where(eq(oauthTokens.portalId, portalId)).run()
        portals.setInstallStatus(portalId, 'reinstall_required', at)
        tx.insert(auditEvents).values({ portalId, action: 'reinstall_required', actor, at, detail }).run()
      })
    },

    /** Erases the tokens of a portal. False when there were none. */
    deleteTokens (portalId: number): boolean {
      return db.delete(oauthTokens).where(eq(oauthTokens.portalId, portalId)).returning({ portalId: oauthTokens.portalId }).all().length > 0
    },

    /** For `rekey`: every token ciphertext, and a way to replace one. */
    allCiphertexts (): Array<Pick<OAuthTokenRow, 'portalId' | 'encryptedAccessToken' | 'encryptedRefreshToken'>> {
      return db.select({
        portalId: oauthTokens.portalId,
        encryptedAccessToken: oauthTokens.encryptedAccessToken,
        encryptedRefreshToken: oauthTokens.encryptedRefreshToken
      }).from(oauthTokens).all()
    },

    replaceCiphertext (portalId: number, kind: 'access' | 'refresh', ciphertext: string): void {
      db.update(oauthTokens)
        .set(kind === 'access' ? { encryptedAccessToken: ciphertext } : { encryptedRefreshToken: ciphertext })
        .where(eq(oauthTokens.portalId, portalId)).run()
    },

    insertState (nonce: string, createdAt: number): void {
      db.insert(oauthStates).values({ nonce, createdAt }).run()
    },

    /**
     * Uses a nonce up: deletes it and says whether it was valid (known, and at most `maxAgeMs` old). One
     * `DELETE … RETURNING` statement, so of two concurrent callbacks with the same state only one can see it.
     * An expired nonce is deleted too: it can never become valid again.
     */
    consumeState (nonce: string, now: number, maxAgeMs: number): boolean {
      const row = committedRow(db.delete(oauthStates).where(eq(oauthStates.nonce, nonce)).returning({ createdAt: oauthStates.createdAt }).all())
      return row !== undefined && now - row.createdAt <= maxAgeMs
    },

    /** Deletes nonces created before `olderThan` (installs that were abandoned). Returns how many. */
    pruneStates (olderThan: number): number {
      return db.delete(oauthStates).where(lt(oauthStates.createdAt, olderThan)).returning({ nonce: oauthStates.nonce }).all().length
    }
  }
}

export type OAuthRepository = ReturnType<typeof createOAuthRepository>
