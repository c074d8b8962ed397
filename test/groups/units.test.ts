import { runGroup } from './run-group.ts'

await runGroup(['actions', 'app', 'harness', 'hubspot', 'plugins', 'pricing'])
