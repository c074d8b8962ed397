import { eq, lt } from 'drizzle-orm'
import type { AuditWriter } from './audit-repository.ts'
import type { Driver, Executor } from '../driver.ts'
import type { oauthTokens } from '../schema/sqlite.ts'
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
export function createOAuthRepository (driver: Driver, writer: AuditWriter = {}) {
  const { db, tables: { auditEvents, oauthStates, oauthTokens } } = driver
  const portals = createPortalsRepository(driver)

  // Inserts or replaces the token row; the portal row must exist (foreign key).
  const upsertTokens = async (executor: Executor, input: SaveTokens): Promise<void> => {
    const values = {
      encryptedAccessToken: input.encryptedAccessToken,
      encryptedRefreshToken: input.encryptedRefreshToken,
      expiresAt: input.expiresAt,
      scopes: input.scopes,
      updatedAt: input.at
    }
    await executor.run(executor.db.insert(oauthTokens).values({ portalId: input.portalId, ...values })
      .onConflictDoUpdate({ target: oauthTokens.portalId, set: values }))
  }

  return {
    async findTokens (portalId: number): Promise<OAuthTokenRow | undefined> {
      return await driver.first(db.select().from(oauthTokens).where(eq(oauthTokens.portalId, portalId)))
    },

    /** Replaces the tokens of a portal (after a refresh); its install status is left alone. */
    async saveTokens (input: SaveTokens): Promise<void> {
      await driver.transaction(async tx => {
        await portals.ensure(input.portalId, tx)
        await upsertTokens(tx, input)
      })
    },

    /** A completed install: tokens stored, portal `installed`, audit event `install`, all or nothing. */
    async recordInstall (input: SaveTokens & { readonly actor: string }): Promise<void> {
      await driver.transaction(async tx => {
        await portals.setInstallStatus(input.portalId, 'installed', input.at, tx)
        await upsertTokens(tx, input)
        await tx.run(tx.db.insert(auditEvents).values({ instanceId: writer.instanceId ?? null, portalId: input.portalId, action: 'install', actor: input.actor, at: input.at, detail: input.scopes }))
      })
    },

    /**
     * HubSpot refused the refresh token (app uninstalled, access revoked): the tokens are erased, the portal marked
     * `reinstall_required` and the reason audited, all or nothing. `detail` names HubSpot's error, never a token.
     */
    async recordReinstallRequired (portalId: number, actor: string, at: number, detail: string): Promise<void> {
      await driver.transaction(async tx => {
        await tx.run(tx.db.delete(oauthTokens).where(eq(oauthTokens.portalId, portalId)))
        await portals.setInstallStatus(portalId, 'reinstall_required', at, tx)
        await tx.run(tx.db.insert(auditEvents).values({ instanceId: writer.instanceId ?? null, portalId, action: 'reinstall_required', actor, at, detail }))
      })
    },

    /** Erases the tokens of a portal. False when there were none. */
    async deleteTokens (portalId: number): Promise<boolean> {
      return await driver.run(db.delete(oauthTokens).where(eq(oauthTokens.portalId, portalId))) > 0
    },

    /** For `rekey`: every token ciphertext, and a way to replace one. */
    async allCiphertexts (executor: Executor = driver): Promise<Array<Pick<OAuthTokenRow, 'portalId' | 'encryptedAccessToken' | 'encryptedRefreshToken'>>> {
      return await executor.all(executor.db.select({
        portalId: oauthTokens.portalId,
        encryptedAccessToken: oauthTokens.encryptedAccessToken,
        encryptedRefreshToken: oauthTokens.encryptedRefreshToken
      }).from(oauthTokens))
    },

    async replaceCiphertext (portalId: number, kind: 'access' | 'refresh', ciphertext: string, executor: Executor = driver): Promise<void> {
      await executor.run(executor.db.update(oauthTokens)
        .set(kind === 'access' ? { encryptedAccessToken: ciphertext } : { encryptedRefreshToken: ciphertext })
        .where(eq(oauthTokens.portalId, portalId)))
    },

    async insertState (nonce: string, createdAt: number): Promise<void> {
      await driver.run(db.insert(oauthStates).values({ nonce, createdAt }))
    },

    /**
     * Uses a nonce up: deletes it and says whether it was valid (known, and at most `maxAgeMs` old). One
     * `DELETE … RETURNING` statement, so of two concurrent callbacks with the same state only one can see it.
     * An expired nonce is deleted too: it can never become valid again.
     */
    async consumeState (nonce: string, now: number, maxAgeMs: number): Promise<boolean> {
      const row = await driver.first(db.delete(oauthStates).where(eq(oauthStates.nonce, nonce)).returning({ createdAt: oauthStates.createdAt }))
      return row !== undefined && now - row.createdAt <= maxAgeMs
    },

    /** Deletes nonces created before `olderThan` (installs that were abandoned). Returns how many. */
    async pruneStates (olderThan: number): Promise<number> {
      return await driver.run(db.delete(oauthStates).where(lt(oauthStates.createdAt, olderThan)))
    }
  }
}

export type OAuthRepository = ReturnType<typeof createOAuthRepository>
