import type { CliIo } from './print-definitions.ts'

type Command = { run (argv: string[], io: CliIo): Promise<number> }

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  publish: () => import('./publish.ts'),
  'print-definitions': () => import('./print-definitions.ts'),
  rekey: () => import('./rekey.ts'),
  migrate: () => import('./migrate.ts'),
  'copy-data': () => import('./copy-data.ts'),
  'end-sessions': () => import('./end-sessions.ts')
}

export const USAGE = `Usage: llm-actions <command> [options]

Commands:
  publish              create or update both workflow action definitions in your HubSpot app (2026-09 actions API by default)
  print-definitions    print the definitions as v4 JSON, or as HubSpot project *-hsmeta.json files
  rekey                re-encrypt every stored secret under the primary encryption key
  migrate              apply pending database migrations
  copy-data            copy every table into another (empty) database: --to <DATABASE_URL> [--from <DATABASE_URL>]
  end-sessions         sign every admin page session out (after a session cookie may have leaked)

Settings come from the environment, as for the server (see README). "llm-actions <command> --help" for more.
`

/** The operator CLI (contract §1). Returns the exit code: 0 done, 1 failed, 2 bad usage or settings. */
export async function main (argv: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.stdout(USAGE)
    return verb === undefined ? 2 : 0
  }
  const load = COMMANDS[verb]
  if (load === undefined) {
    io.stderr(`error: unknown command "${verb}"\n\n${USAGE}`)
    return 2
  }
  return (await load()).run(rest, io)
}
