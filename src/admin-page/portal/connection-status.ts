import type { Connection, ConnectionStatus } from '../api-types.ts'

const STATUS_TEXT: Readonly<Record<ConnectionStatus, string>> = {
  connected: 'Connected',
  invalid: 'Invalid key',
  key_unreadable: 'Key unreadable'
}

export function statusText (connection: Connection | undefined): string {
  return connection === undefined ? 'Not connected' : STATUS_TEXT[connection.status]
}

/** The portals list sends a connection's status as plain text: one this page does not know shows as sent. */
export function statusLabel (status: string): string {
  return isConnectionStatus(status) ? STATUS_TEXT[status] : status
}

function isConnectionStatus (status: string): status is ConnectionStatus {
  return Object.prototype.hasOwnProperty.call(STATUS_TEXT, status)
}
