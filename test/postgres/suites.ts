import { runFiles } from '../groups/run-group.ts'

/**
 * Runs existing test files again on PostgreSQL, in this one process: each service they build gets a fresh database
 * of the run's shared cluster (`buildApp` reads LLM_ACTIONS_TEST_DATABASE) instead of a SQLite file. One process
 * for many files keeps the suite fast on two cores; the files are loaded in order and their tests run as they
 * would on their own. Files that reach into SQLite itself (pragmas, its statement trace, its file) stay SQLite-only.
 */
export async function runOnPostgres (files: readonly string[]): Promise<void> {
  process.env.LLM_ACTIONS_TEST_DATABASE = 'postgres'
  await runFiles(files)
}
