// Opens a report in headless Debian Chromium and records everything the page does that a
// test may want to refuse: console errors, uncaught errors, network requests.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface OpenedReport {
  page: Page;
  url: string;
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

/** Writes the HTML to a temporary file, opens it, and waits for the page script to finish. */
export async function openReport(browser: Browser, html: string): Promise<OpenedReport> {
  const dir = await mkdtemp(join(tmpdir(), 'wasm-ipam-report-'));
  const file = join(dir, 'index.html');
  await writeFile(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url, { waitUntil: 'load' });
  try {
    await page.waitForFunction(() => document.documentElement.dataset['reportReady'] === 'true', undefined, { timeout: 15_000 });
  } catch (error) {
    throw new Error(`the report's script did not finish; page errors: ${JSON.stringify(pageErrors)}; console: ${JSON.stringify(consoleErrors)}`, { cause: error });
  }
  return {
    page,
    url,
    requests,
    consoleErrors,
    pageErrors,
    async close() {
      await page.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Opens `html` in a Chromium of its own, hands it to `use`, and closes both whatever happens. */
export async function inOwnChromium<T>(html: string, use: (opened: OpenedReport) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    const opened = await openReport(browser, html);
    try {
      return await use(opened);
    } finally {
      await opened.close();
    }
  } finally {
    await browser.close();
  }
}
