import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { pathToFileURL } from 'node:url'
import { repositoryPath } from '../helpers/repository.ts'

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Where the screenshots go: git-ignored, kept after the run for a person to look at. */
export const SCREENSHOT_DIRECTORY = pathToFileURL(repositoryPath('test/artifacts/screens') + '/')

interface TapLike { teardown (fn: () => unknown): void }

/**
 * Headless Chromium as this machine needs it: no sandbox (root), and no background networking, so the browser
 * itself asks nothing of the network (the machine has none, and the test asserts on every request it sees).
 * Fails, never skips, when it cannot start: the page is then untested, and CI must say so.
 */
export async function launchChromium (t: TapLike): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install it with "apt-get install chromium" (.ci/run does) or set CHROMIUM_PATH.`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps']
  })
  t.teardown(() => browser.close())
  return browser
}

/**
 * A browser context whose pages define `__name`: tsx compiles the tests with esbuild's keepNames, which wraps named
 * functions in `__name(…)`, and a function handed to `page.evaluate` runs in the page, where that helper is missing.
 */
export async function newContext (browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options)
  await context.addInitScript('globalThis.__name = (target) => target')
  return context
}

/** Saves the page at its current width under test/artifacts/screens/<name>-<width>.png. */
export async function screenshot (page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIRECTORY, { recursive: true })
  const width = page.viewportSize()?.width ?? 0
  await page.screenshot({ path: new URL(`${name}-${width}.png`, SCREENSHOT_DIRECTORY).pathname, fullPage: true })
}
