// The pool explorer opened in headless Chromium, ready to drive: the set-up its tests share.
import type { Browser, Page } from 'playwright';

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
