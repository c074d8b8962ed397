import { runGroup } from './run-group.ts'

await runGroup(['routes'], { slice: { part: 3, of: 3 } })
