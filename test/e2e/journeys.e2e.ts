import { randomBytes } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { type Actor, baseUrl, capture, launchBrowser, PrivacyProbe, signIn, until, visible, hasText, containsText } from './support';

/**
 * The journeys of PRODUCT.md in a real browser against the built platform. They build on each
 * other (one case travels from the officer to the shelter and the prosecutor), so they run in order.
 */
describe('web app journeys', () => {
  const server = { baseUrl: baseUrl() };
  let browser: Browser;
  const probe = new PrivacyProbe();
  const axe: string[] = [];
  const actors: Actor[] = [];
  // A name that only this run's victim has, so any hit in URLs, titles or storage is a leak.
  const victimName = `Ioana Leakcheck ${randomBytes(3).toString('hex')}`;
  let caseUrl = '';
  let reference = '';

  const as = async (email: string, path?: string): Promise<Page> => {
    const actor = await signIn(browser, server.baseUrl, email, probe, path);
    actors.push(actor);
    return actor.page;
  };
  const shot = async (page: Page, name: string) => axe.push(...(await capture(page, name, probe)));

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    for (const actor of actors) await actor.context.close().catch(() => undefined);
    await browser?.close();
  });

  it('officer opens a case with the guided form and refers the victim to a shelter', async () => {
    const page = await as('officer@be-police.test');
    await shot(page, 'officer-cases');
    await page.getByRole('navigation').getByRole('link', { name: 'Open a case' }).click();
    await page.getByRole('checkbox', { name: 'Labour exploitation' }).check();
    await page.getByRole('checkbox', { name: 'Deception' }).check();
    await page.getByRole('radio', { name: 'No' }).check();
    await shot(page, 'new-case-summary');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Full name').fill(victimName);
    await page.getByLabel('Date of birth').fill('1999-04-12');
    await shot(page, 'new-case-identity');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: 'Yes' }).check();
    await shot(page, 'new-case-consent');
    const started = Date.now();
    await page.getByRole('button', { name: 'Open the case' }).click();

    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    caseUrl = new URL(page.url()).pathname;
    expect(caseUrl).toMatch(/^\/cases\/[0-9a-f-]{36}$/);
    reference = (await page.getByRole('heading', { level: 1 }).textContent())?.replace('Case', '').trim() ?? '';
    expect(reference).toMatch(/^BE-\d{4}-\d{6}$/);
    expect(Date.now() - started).toBeLessThan(3000);

    await pick(dialog.getByRole('combobox', { name: 'Purpose', exact: true }), page, 'Shelter');
    await pick(dialog.getByRole('combobox', { name: 'Receiving organisation', exact: true }), page, /Reception Centre Antwerp — 8 free beds of 8/);
    await visible(dialog.getByText('Consent: this referral rests on the consent'));
    // The consent answer given in the guided form is carried over.
    expect(await dialog.getByRole('checkbox', { name: /has given consent/ }).isChecked()).toBe(true);
    await shot(page, 'refer-dialog');
    await dialog.getByRole('button', { name: 'Send referral' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Waiting for an answer').waitFor();
    await shot(page, 'case-officer');

    await page.getByRole('navigation').getByRole('link', { name: 'My cases' }).click();
    await page.getByLabel('Search by reference').fill(reference.slice(0, 8));
    await page.getByRole('link', { name: reference }).waitFor();
    await page.getByLabel('Search by reference').fill('LU-1999');
    await page.getByText('No case matches this reference.').waitFor();
  });

  it('shelter caseworker sees the brief only, accepts, then sees identity and one bed fewer', async () => {
    const page = await as('caseworker@be-shelter-antwerp.test', '/referrals');
    await page.getByRole('link', { name: reference }).click();
    await page.getByRole('heading', { name: 'Brief' }).waitFor();
    await visible(page.getByText('Labour exploitation'));
    await visible(page.getByText('From Police, Belgium'));
    expect(await page.content()).not.toContain(victimName);
    await hasText(page.getByTestId('free-beds'), '8 free beds of 8');
    await shot(page, 'referral-brief');
    await page.getByRole('button', { name: 'Accept' }).click();
    await hasText(page.getByTestId('referral-status'), 'Accepted');
    await hasText(page.getByTestId('free-beds'), '7 free beds of 8');
    await page.getByRole('link', { name: 'Open the case file' }).click();
    await page.getByRole('tab', { name: /Identity/ }).click();
    await visible(page.getByText(victimName));
    await page.getByRole('tab', { name: /Care/ }).click();
    await shot(page, 'case-caseworker-care');
  });

  it('prosecutor accepts a prosecution referral and reviews the file: read-only except investigation, no care', async () => {
    const officer = await as('officer@be-police.test', caseUrl);
    await officer.getByRole('button', { name: 'Refer' }).click();
    const dialog = officer.getByRole('dialog');
    await pick(dialog.getByRole('combobox', { name: 'Purpose', exact: true }), officer, 'Prosecution');
    await pick(dialog.getByRole('combobox', { name: 'Receiving organisation', exact: true }), officer, /Prosecution/);
    await visible(dialog.getByText('Law enforcement:'));
    expect(await dialog.getByRole('checkbox').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Send referral' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const page = await as('prosecutor@be-prosecution.test', '/referrals');
    await shot(page, 'prosecutor-referrals');
    await page.getByRole('link', { name: reference }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await hasText(page.getByTestId('referral-status'), 'Accepted');
    await page.getByRole('link', { name: 'Open the case file' }).click();
    await page.getByRole('tab').first().waitFor();
    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs.map((tab) => tab.replace(/\(.*\)/, '').trim())).toEqual(['Summary', 'Identity', 'Investigation', 'Immigration']);
    expect(await page.getByRole('button', { name: 'Edit Summary' }).count()).toBe(0);
    await page.getByRole('tab', { name: /Investigation/ }).click();
    await page.getByRole('button', { name: 'Edit Investigation' }).click();
    await page.getByLabel('Police report number').fill('PV-2026-123');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await shot(page, 'case-prosecutor');
    await page.getByRole('navigation').getByRole('link', { name: 'Cases to review' }).click();
    await page.getByRole('link', { name: reference }).waitFor();
    await shot(page, 'prosecutor-cases');
    // Issue 10: the case page renders in under a second.
    const started = Date.now();
    await page.getByRole('link', { name: reference }).click();
    await page.getByRole('tabpanel').getByRole('row').first().waitFor();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a stale edit shows the conflict instead of overwriting', async () => {
    const first = await as('officer@be-police.test', caseUrl);
    const second = await as('officer2@be-police.test', caseUrl);
    for (const page of [first, second]) await page.getByRole('button', { name: 'Edit Summary' }).click();
    await first.getByLabel('Needs').fill('shelter, interpreter');
    await first.getByRole('button', { name: 'Save' }).click();
    await first.getByText('Saved.').waitFor();
    await second.getByLabel('Needs').fill('medical care');
    await second.getByRole('button', { name: 'Save' }).click();
    await containsText(second.getByTestId('conflict'), 'Someone else saved this section first');
    await shot(second, 'case-conflict');
    await second.getByRole('button', { name: 'Load the latest version' }).click();
    await visible(second.getByText('shelter, interpreter'));
  });

  it('"why can I see this" explains the participation and its legal basis', async () => {
    const page = await as('officer@be-police.test', caseUrl);
    await page.getByRole('button', { name: 'Why can I see this?' }).click();
    await containsText(page.getByRole('dialog'), 'Legal basis: lead organisation');
    await shot(page, 'case-access');
  });

  it('break-glass: a caseworker of a centre outside the case opens it with a justification, and reads summary and identity only', async () => {
    const page = await as('caseworker@be-shelter-brussels.test', caseUrl);
    await page.getByRole('heading', { name: 'Emergency access' }).waitFor();
    await shot(page, 'break-glass');
    await page.getByRole('button', { name: 'Open with emergency access' }).click();
    await visible(page.getByText('Write at least 20 characters.'));
    await page.getByLabel('Justification').fill('Victim at our door tonight; identity must be checked now');
    await page.getByRole('button', { name: 'Open with emergency access' }).click();
    await containsText(page.getByRole('heading', { level: 1 }), reference);
    await page.getByRole('tab').first().waitFor();
    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs.map((tab) => tab.replace(/\(.*\)/, '').trim())).toEqual(['Summary', 'Identity']);
    await shot(page, 'case-break-glass');
  });

  it('migration officer accepts a residence referral and starts the reflection period with the country’s end date', async () => {
    const officer = await as('officer@be-police.test', caseUrl);
    await officer.getByRole('button', { name: 'Refer' }).click();
    const dialog = officer.getByRole('dialog');
    await pick(dialog.getByRole('combobox', { name: 'Purpose', exact: true }), officer, 'Residence');
    await pick(dialog.getByRole('combobox', { name: 'Receiving organisation', exact: true }), officer, /Migration Authority, Belgium/);
    await dialog.getByRole('checkbox', { name: /has given consent/ }).check();
    await dialog.getByRole('button', { name: 'Send referral' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const page = await as('migration-officer@be-migration.test', '/referrals');
    await page.getByRole('link', { name: reference }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await hasText(page.getByTestId('referral-status'), 'Accepted');
    await page.getByRole('link', { name: 'Open the case file' }).click();
    await page.getByRole('tab', { name: /Immigration/ }).click();
    await visible(page.getByText('Belgium: 45 days from the start date.'));
    await page.getByLabel('Start date').fill('2026-03-01');
    await page.getByRole('button', { name: 'Start reflection period' }).click();
    // Belgium: 45 days from 1 March 2026 ends on 15 April 2026 (however the locale writes it).
    await until(
      async () => /April 15, 2026|15 April 2026/.test((await page.getByTestId('reflection-end').textContent()) ?? ''),
      'the reflection period end date',
    );
    await shot(page, 'case-migration-reflection');
  });

  it('an e-mail link to a case or a referral opens its page after sign-in', async () => {
    const page = await as('caseworker@be-shelter-antwerp.test', caseUrl);
    await containsText(page.getByRole('heading', { level: 1 }), reference);
    expect(new URL(page.url()).pathname).toBe(caseUrl);
    await page.getByRole('navigation').getByRole('link', { name: 'Inbox' }).click();
    const referralLink = page.getByRole('link', { name: `Referral of ${reference}` }).first();
    const referralPath = (await referralLink.getAttribute('href')) ?? '';
    await shot(page, 'inbox');
    const again = await as('caseworker@be-shelter-antwerp.test', referralPath);
    await containsText(again.getByRole('heading', { level: 1 }), `Referral ${reference}`);
  });

  it('shelter caseworker ends the placement: the bed is free again', async () => {
    const page = await as('caseworker@be-shelter-antwerp.test', caseUrl);
    await page.getByRole('tab', { name: /Care/ }).click();
    await page.getByRole('button', { name: 'End placement' }).click();
    await page.getByRole('button', { name: 'Yes, end the placement' }).click();
    await visible(page.getByText('The placement has ended and the bed is free again.'));
    await shot(page, 'case-placement-ended');
    await page.getByRole('navigation').getByRole('link', { name: 'Referrals' }).click();
    await page.getByRole('link', { name: reference }).first().click();
    await hasText(page.getByTestId('free-beds'), '8 free beds of 8');
  });

  it('switches the language to Dutch and French: texts, <html lang> and dates follow', async () => {
    const page = await as('inspector@be-labour.test');
    await pick(page.getByRole('combobox', { name: 'Language', exact: true }), page, 'Nederlands');
    await hasAttribute(page.locator('html'), 'lang', 'nl');
    await visible(page.getByRole('navigation').getByRole('link', { name: 'Mijn zaken' }));
    await shot(page, 'cases-nl');
    await pick(page.getByRole('combobox', { name: 'Taal', exact: true }), page, 'Français');
    await hasAttribute(page.locator('html'), 'lang', 'fr');
    await visible(page.getByRole('navigation').getByRole('link', { name: 'Mes dossiers' }));
    await page.getByRole('navigation').getByRole('link', { name: 'Ouvrir un dossier' }).click();
    await shot(page, 'new-case-fr');
    // The choice is saved (PATCH /api/me): the next sign-in, in a browser that prefers English, speaks French.
    const again = await as('inspector@be-labour.test');
    await hasAttribute(again.locator('html'), 'lang', 'fr');
    await visible(again.getByRole('navigation').getByRole('link', { name: 'Mes dossiers' }));
  });

  it('keyboard only: open a case and refer it; the receiving caseworker’s badge updates live, without a reload', async () => {
    const caseworker = await as('caseworker@be-shelter-brussels.test', '/inbox');
    const badge = caseworker.getByRole('navigation').getByTestId('unread-badge');
    const before = Number((await badge.count()) > 0 ? ((await badge.textContent()) ?? '').replace(/\D/g, '') : 0);
    // A marker in the page's memory: were the page reloaded, it would be gone.
    await caseworker.evaluate('window.__passageSamePage = true');
    const page = await as('officer2@be-police.test');
    await tabTo(page, page.getByRole('navigation').getByRole('link', { name: 'Open a case' }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('checkbox', { name: 'Sexual exploitation' }));
    await page.keyboard.press('Space');
    await tabTo(page, page.getByRole('radio', { name: 'No' }));
    await page.keyboard.press('Space');
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByLabel('Full name'));
    await page.keyboard.type(victimName);
    await tabTo(page, page.getByRole('button', { name: 'Next' }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('radio', { name: 'Yes' }));
    await page.keyboard.press('Space');
    await tabTo(page, page.getByRole('button', { name: 'Open the case' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await tabTo(page, dialog.getByRole('combobox', { name: 'Purpose', exact: true }));
    await chooseByKeyboard(page, 'Shelter');
    await tabTo(page, dialog.getByRole('combobox', { name: 'Receiving organisation', exact: true }));
    await chooseByKeyboard(page, /Reception Centre Brussels/);
    await tabTo(page, dialog.getByRole('button', { name: 'Send referral' }));
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Waiting for an answer').waitFor();
    await shot(page, 'keyboard-referred');

    const unread = async () => Number(((await badge.textContent()) ?? '').replace(/\D/g, ''));
    await until(async () => (await unread()) === before + 1, 'the badge to count the new referral');
    expect(await caseworker.evaluate('window.__passageSamePage === true')).toBe(true);
    // The open inbox list refreshed with it too.
    await caseworker
      .getByRole('link', { name: /^Referral of / })
      .first()
      .waitFor();
    // Readable context: the title says who did what.
    await visible(caseworker.getByText(/Police, Belgium referred case BE-\d{4}-\d{6} to you/));
    await shot(caseworker, 'inbox-live');
  });

  it('shows a sign-in page and a not-found page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    probe.watch(page);
    await page.goto(`${server.baseUrl}/cases`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot(page, 'sign-in');
    await context.close();
    const officer = await as('officer@be-police.test', '/nowhere');
    await officer.getByRole('heading', { name: 'Page not found' }).waitFor();
    await shot(officer, 'not-found');
  });

  it('kept the victim out of URLs, titles, browser storage and the HTTP cache, and every page passed axe', async () => {
    expect(probe.seen.length).toBeGreaterThan(20);
    expect(probe.hits(victimName)).toEqual([]);
    expect(probe.hits('Leakcheck')).toEqual([]);
    expect(probe.cacheableApiResponses).toEqual([]);
    expect(axe).toEqual([]);
  });
});

async function hasAttribute(locator: Locator, name: string, value: string): Promise<void> {
  await until(async () => (await locator.getAttribute(name)) === value, `${name}="${value}" on ${String(locator)}`);
}

/** Chooses an option of a Mantine Select with the mouse-free path a screen-reader user takes too. */
async function pick(select: Locator, page: Page, option: string | RegExp): Promise<void> {
  await select.click();
  await page.getByRole('option', { name: option }).first().click();
}

/** Presses Tab until the locator has focus: proves it is reachable by keyboard, in order. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  await target.waitFor();
  for (let presses = 0; presses < 80; presses += 1) {
    if (await target.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${String(target)} with the Tab key`);
}

/** Opens the focused Select with the arrow key and moves to the option, then Enter. */
async function chooseByKeyboard(page: Page, option: string | RegExp): Promise<void> {
  await page.keyboard.press('ArrowDown');
  const wanted = page.getByRole('option', { name: option }).first();
  await wanted.waitFor();
  for (let presses = 0; presses < 30; presses += 1) {
    if ((await wanted.getAttribute('data-combobox-selected')) !== null) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
}
