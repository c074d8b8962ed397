import { runGroup } from './run-group.ts'

await runGroup(['routes'], { slice: { part: 1, of: 3 } })
