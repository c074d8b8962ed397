import { runGroup } from './run-group.ts'

await runGroup(['engine'], { slice: { part: 1, of: 2 } })
