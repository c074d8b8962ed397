import { runGroup } from './run-group.ts'

await runGroup(['engine'], { slice: { part: 2, of: 2 } })
