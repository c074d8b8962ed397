import { randomBytes } from 'node:crypto'
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Files written under a folder never land outside it. A folder written into with --force may hold links someone
 * else planted (a shared or cloned folder), and following one writes wherever it points. So every part of a path
 * below the folder is looked at with lstat and a symbolic link is refused by name; missing folders are made one
 * at a time; a file is written under a fresh name created exclusively (a link of that name fails, never followed)
 * and renamed over its target, which replaces whatever entry is there, a link that appeared since the check or a
 * hard link, instead of writing through it. The folder itself, and the path to it, are the operator's to choose.
 */

export class WriteRefused extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'WriteRefused'
  }
}

/** Why writing `relative` (with `/`) under `root` would leave it, or undefined. Creates nothing. */
export async function refusalWithin (root: string, relative: string): Promise<string | undefined> {
  try {
    await walk(root, relative, false)
    return undefined
  } catch (error) {
    if (error instanceof WriteRefused) return error.message
    throw error
  }
}

/** Writes `text` at `relative` under `root`, making the folders it needs; throws WriteRefused past any link. */
export async function writeWithin (root: string, relative: string, text: string): Promise<string> {
  const path = await walk(root, relative, true)
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temporary, 'wx')
  try {
    await handle.writeFile(text)
    await handle.close()
    await rename(temporary, path)
  } catch (error) {
    await handle.close().catch(() => undefined)
    await unlink(temporary).catch(() => undefined)
    throw error
  }
  return path
}

/** The file's path after checking each part below `root`; with `create`, missing folders are made. */
async function walk (root: string, relative: string, create: boolean): Promise<string> {
  const parts = relative.split('/')
  let path = root
  for (const [index, part] of parts.entries()) {
    path = join(path, part)
    const last = index === parts.length - 1
    let entry = await lstatOrUndefined(path)
    if (entry === undefined && !last) {
      if (!create) return join(root, ...parts)
      // Not recursive: an entry that appears meanwhile (EEXIST) is looked at like any other.
      await mkdir(path).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'EEXIST') throw error })
      entry = await lstatOrUndefined(path)
    }
    if (entry === undefined) continue
    if (entry.isSymbolicLink()) throw new WriteRefused(`${path} is a symbolic link: nothing is written through one, since it can point outside ${root}. Remove it and run again.`)
    if (!last && !entry.isDirectory()) throw new WriteRefused(`${path} is in the way: a folder is needed there.`)
    if (last && !entry.isFile()) throw new WriteRefused(`${path} is in the way: it is not a file.`)
  }
  return path
}

async function lstatOrUndefined (path: string) {
  return await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
}
