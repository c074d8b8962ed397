import { runGroup } from './run-group.ts'

await runGroup(['routes'], { part: 1, of: 3 })
