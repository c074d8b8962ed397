import { startRunCluster } from '../helpers/postgres-cluster.ts'

// tap's `before` program (.taprc): starts the PostgreSQL cluster this whole tap run shares (sharedCluster() in the
// test files). If it cannot, the run goes on: only the tests that need PostgreSQL fail, each with the reason.
try {
  const started = Date.now()
  const url = await startRunCluster()
  console.error(`# PostgreSQL for this run at ${url} (started in ${Date.now() - started} ms)`)
} catch (error) {
  console.error(`# no shared PostgreSQL for this run: ${(error as Error).message}`)
}
