import { execFileSync, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'

// Small real file systems for the fault suite: a tmpfs to fill up, and a loop-mounted ext4 the kernel can be made to
// turn read-only. Both need root and mount(8); each function answers a sentence saying why it cannot instead, so a
// test can skip with it.

export interface ScratchMount {
  readonly dir: string
  /** Unmounts (lazily, so an app still holding files cannot make it fail) and removes what was made. */
  unmount (): void
}

export interface Ext4Mount extends ScratchMount {
  /**
   * Makes the kernel report a file system error, which `errors=remount-ro` answers as it does a failing disk: the file
   * system turns read-only under the open files, and every write through them fails with EROFS.
   */
  failFileSystem (): void
  /** Has the kernel write what it holds in memory for this file system to the disk (syncfs). */
  writeBack (): void
  /** What an operator does afterwards: unmount, e2fsck, mount again writable. Nothing may hold files open in it. */
  repair (): void
}

/** A tmpfs of `sizeMb` megabytes. */
export function mountTmpfs (sizeMb: number): ScratchMount | string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-actions-tmpfs-'))
  const failed = tried(() => { execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'pipe' }) })
  if (failed !== undefined) {
    rmSync(dir, { recursive: true, force: true })
    return `cannot mount a tmpfs here (needs root and mount permission): ${failed}`
  }
  return { dir, unmount: () => { lazyUnmount(dir); rmSync(dir, { recursive: true, force: true }) } }
}

/** An ext4 file system of `sizeMb` megabytes in an image file, mounted through a loop device with `errors=remount-ro`. */
export function mountExt4 (sizeMb: number): Ext4Mount | string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-actions-ext4-'))
  const image = `${dir}.img`
  const mount = () => { execFileSync('mount', ['-o', 'loop,errors=remount-ro', image, dir], { stdio: 'pipe' }) }
  const removeAll = () => { rmSync(dir, { recursive: true, force: true }); rmSync(image, { force: true }) }
  const failed = tried(() => {
    closeSync(openSync(image, 'w'))
    execFileSync('truncate', ['-s', `${sizeMb}M`, image], { stdio: 'pipe' })
    execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'pipe' })
    mount()
  })
  if (failed !== undefined) {
    lazyUnmount(dir)
    removeAll()
    return `cannot mount an ext4 image here (needs root, a loop device and mkfs.ext4): ${failed}`
  }
  const device = basename(execFileSync('findmnt', ['-n', '-o', 'SOURCE', dir], { encoding: 'utf8' }).trim())
  const trigger = `/sys/fs/ext4/${device}/trigger_fs_error`
  if (!existsSync(trigger)) {
    lazyUnmount(dir)
    removeAll()
    return `this kernel has no ${trigger} to make ext4 fail`
  }
  return {
    dir,
    failFileSystem () { writeFileSync(trigger, 'fault test: read-only data directory') },
    writeBack () { execFileSync('sync', ['--file-system', dir], { stdio: 'pipe' }) },
    repair () {
      execFileSync('umount', [dir], { stdio: 'pipe' })
      // e2fsck exits 1 when it corrected errors (the one the test reported), 2 when a reboot is advised; both repaired.
      const check = spawnSync('e2fsck', ['-f', '-y', image], { stdio: 'pipe' })
      if (check.status === null || check.status > 2) throw new Error(`e2fsck failed (${String(check.status)}): ${String(check.stderr)}`)
      mount()
    },
    unmount () { lazyUnmount(dir); removeAll() }
  }
}

/** Writes zeros to `path` until the file system refuses (ENOSPC). */
export function fillUp (path: string): void {
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(64 * 1024)
  // A chunk that does not fit is written in part (a short count), and the next one throws.
  try { for (;;) writeSync(fd, chunk) } catch {} finally { closeSync(fd) }
}

/** Bytes an unprivileged writer could still write to the file system holding `dir`. */
export function freeBytes (dir: string): number {
  const stats = statfsSync(dir)
  return stats.bavail * stats.bsize
}

function lazyUnmount (dir: string): void {
  tried(() => { execFileSync('umount', ['-l', dir], { stdio: 'pipe' }) })
}

/** Runs `step`; the first line of its error, or undefined when it worked. */
function tried (step: () => void): string | undefined {
  try {
    step()
    return undefined
  } catch (error) {
    return String((error as Error).message).split('\n')[0]
  }
}
