import { runGroup } from './run-group.ts'

await runGroup(['cli', 'fuzz'])
