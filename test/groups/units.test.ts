import { runGroup } from './run-group.ts'

await runGroup(['actions', 'app', 'hubspot', 'plugins', 'pricing'])
