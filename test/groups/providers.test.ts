import { runGroup } from './run-group.ts'

// Both judge what their process has loaded (which SDKs, a consumer without tsx), so each keeps a process of its own.
const ALONE = ['providers/sdk-loading.test.ts', 'providers/plain-node-consumer.test.ts']

await runGroup(['providers'], { alone: ALONE })
