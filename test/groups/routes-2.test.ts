import { runGroup } from './run-group.ts'

await runGroup(['routes'], { slice: { part: 2, of: 3 } })
