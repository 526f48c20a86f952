import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { TEST_PASSWORD } from '../support/environment';

export const PASSWORD = TEST_PASSWORD;
/** Where global-setup.ts started the server. */
export function baseUrl(): string {
  const url = process.env.PASSAGE_E2E_URL;
  if (!url) throw new Error('PASSAGE_E2E_URL is not set: run the browser tests with `npm run test:e2e`');
  return url;
}

export const SCREENSHOTS = resolve('test-results/screenshots');

/** Debian's Chromium; nothing here ever downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Everything a victim's name must never reach in the browser, gathered while the journeys run. */
export class PrivacyProbe {
  readonly seen: string[] = [];
  readonly cacheableApiResponses: string[] = [];

  watch(page: Page): void {
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) this.seen.push(`url ${frame.url()}`);
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.pathname.startsWith('/api/') && !(response.headers()['cache-control'] ?? '').includes('no-store')) this.cacheableApiResponses.push(url.pathname);
    });
  }

  /** URL, title and every kind of storage the page can reach, as text. */
  async sample(page: Page): Promise<void> {
    this.seen.push(`url ${page.url()}`, `title ${await page.title()}`);
    const storage = await page.evaluate(`(async () => {
      const dump = (store) => Object.keys(store).map((key) => key + '=' + store.getItem(key)).join('\\n');
      const databases = indexedDB.databases ? (await indexedDB.databases()).map((db) => db.name).join(',') : '';
      return ['local ' + dump(localStorage), 'session ' + dump(sessionStorage), 'indexedDB ' + databases, 'cookies ' + document.cookie].join('\\n');
    })()`);
    this.seen.push(String(storage));
  }

  hits(secret: string): string[] {
    return this.seen.filter((entry) => entry.toLowerCase().includes(secret.toLowerCase()));
  }
}

export interface Actor {
  context: BrowserContext;
  page: Page;
}

export async function signIn(browser: Browser, baseUrl: string, email: string, probe: PrivacyProbe, path = '/cases'): Promise<Actor> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  probe.watch(page);
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('E-mail address').fill(email);
  await page.locator('input[type=password]').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation').waitFor();
  return { context, page };
}

/** Serious and critical axe findings (WCAG 2.2 A/AA rules) on what the page shows now. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`);
}

/** A screenshot of what the page shows, kept as a test artefact, and its axe findings. */
export async function capture(page: Page, name: string, probe: PrivacyProbe): Promise<string[]> {
  // The inbox stream keeps a request open, so the network never idles for long: wait briefly at most.
  await page.waitForLoadState('networkidle', { timeout: 1500 }).catch(() => undefined);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  await probe.sample(page);
  return (await axeViolations(page)).map((violation) => `${name}: ${violation}`);
}

/** Waits, like a person would, until the condition holds (10 s at most). */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: 10_000 });
}

export async function hasText(locator: Locator, text: string): Promise<void> {
  await until(async () => (await locator.textContent())?.trim() === text, `"${text}" in ${String(locator)}`);
}

export async function containsText(locator: Locator, text: string): Promise<void> {
  await until(async () => ((await locator.textContent()) ?? '').includes(text), `"${text}" in ${String(locator)}`);
}
