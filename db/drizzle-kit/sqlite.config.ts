import { defineConfig } from 'drizzle-kit'

/** `npm run db:generate` writes the SQLite migration for a schema change; the PostgreSQL one comes from its twin. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema/sqlite.ts',
  out: './db/migrations/sqlite'
})
