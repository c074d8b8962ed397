import { chmodSync, mkdirSync } from 'node:fs'

/** Owner-only: the data folder holds the SQLite file and the generated secrets. */
const PRIVATE_DIRECTORY_MODE = 0o700

/**
 * Creates a folder (and its parents) readable by the service's user only. A folder that already exists keeps its
 * mode: the operator who made it chose it. The explicit chmod makes the mode independent of the process umask.
 */
export function makePrivateDirectory (directory: string): void {
  if (mkdirSync(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE }) !== undefined) chmodSync(directory, PRIVATE_DIRECTORY_MODE)
}
