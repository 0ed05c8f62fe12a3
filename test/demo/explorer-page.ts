// The pool explorer opened in headless Chromium, ready to drive: the set-up its tests share.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startDemoServer, type DemoServer } from '../../src/demo/serve.js';
import { launchChromium } from '../report/chromium.js';

/**
 * A page on the explorer at `url` whose engine has loaded; its page errors (and, with
 * `consoleErrors`, its console's errors, from the first load on) go to `errors`.
 */
export async function openExplorer(browser: Browser, url: string, errors: string[], consoleErrors = false): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on('pageerror', (error) => errors.push(error.message));
  if (consoleErrors) page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Engine loaded'), undefined, { timeout: 20_000 });
  return page;
}

/**
 * The hooks of a test file that drives a fresh explorer page per test: one demo server and
 * browser for the file, a scratch directory (`dir`) for state files, and no page error (with
 * `consoleErrors`, no console error either) in any test. Read `page` and `dir` inside tests.
 */
export function explorerPerTest(prefix: string, consoleErrors = false): { readonly page: Page; readonly dir: string } {
  let server: DemoServer;
  let browser: Browser;
  const errors: string[] = [];
  const session = { page: undefined as unknown as Page, dir: '' };
  beforeAll(async () => {
    server = await startDemoServer(0);
    browser = await launchChromium();
    session.dir = await mkdtemp(join(tmpdir(), prefix));
  }, 40_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(session.dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    session.page = await openExplorer(browser, server.url, errors, consoleErrors);
  });
  afterEach(async () => {
    await session.page?.close();
    expect(errors).toEqual([]);
  });
  return session;
}
