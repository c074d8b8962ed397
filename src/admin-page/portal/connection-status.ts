import type { Connection, ConnectionStatus } from '../api-types.ts'

export const STATUS_TEXT: Readonly<Record<ConnectionStatus, string>> = {
  connected: 'Connected',
  invalid: 'Invalid key',
  key_unreadable: 'Key unreadable'
}

export function statusText (connection: Connection | undefined): string {
  return connection === undefined ? 'Not connected' : STATUS_TEXT[connection.status]
}
