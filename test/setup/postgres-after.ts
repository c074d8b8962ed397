import { stopRunCluster } from '../helpers/postgres-cluster.ts'

// tap's `after` program (.taprc): removes the cluster postgres-before.ts started for this run.
await stopRunCluster()
