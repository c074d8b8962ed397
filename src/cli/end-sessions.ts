import type { CliIo } from './print-definitions.ts'
import { runOnServiceInstance } from './service-instance.ts'

export const END_SESSIONS_USAGE = `Usage: llm-actions end-sessions

Signs every admin page session out at once, as "Sign out everywhere" on the page does; each browser signs in
again with the admin token. Recorded in the audit trail as end_sessions, by "cli". Changing ADMIN_TOKEN ends
the sessions opened with the old token as well.
`

/** Who the audit trail names for changes made from the command line. */
const CLI_ACTOR = 'cli'

export async function run (argv: string[], io: CliIo): Promise<number> {
  return await runOnServiceInstance(argv, io, END_SESSIONS_USAGE, 'no session was ended', async instance => {
    const ended = await instance.repositories.sessions.removeAll({ actor: CLI_ACTOR, at: Date.now() })
    return `end-sessions: ${ended} session(s) ended\n`
  })
}
