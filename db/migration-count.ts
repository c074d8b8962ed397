import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** How many migrations drizzle-kit wrote into `folder` (its journal lists them). */
export function countMigrations (folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}
