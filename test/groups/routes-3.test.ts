import { runGroup } from './run-group.ts'

await runGroup(['routes'], { part: 3, of: 3 })
