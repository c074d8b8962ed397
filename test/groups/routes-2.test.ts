import { runGroup } from './run-group.ts'

await runGroup(['routes'], { part: 2, of: 3 })
