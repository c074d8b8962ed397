import { defineConfig } from 'drizzle-kit'

/** `npm run db:generate` writes the PostgreSQL migration for a schema change; the SQLite one comes from its twin. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/postgres.ts',
  out: './db/migrations/postgres'
})
