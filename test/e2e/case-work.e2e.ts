import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { type Actor, baseUrl, capture, launchBrowser, PASSWORD, PrivacyProbe, signIn, until, visible, hasText, containsText } from './support';

/**
 * Case work in a real browser (issue 15): search by reference, the possible-duplicate warning,
 * notes, tasks and My tasks, documents, and closing with the prosecution's approval, then
 * reopening. Setup the journeys do not test (a case the prosecution takes part in) goes through the
 * API; everything the issue asks of the screens is done by clicking.
 */
describe('case work journeys', () => {
  const server = { baseUrl: baseUrl() };
  let browser: Browser;
  const probe = new PrivacyProbe();
  const axe: string[] = [];
  const actors: Actor[] = [];
  const victimName = `Mirela Leakcheck ${letters(8)}`;
  let caseId = '';
  let reference = '';

  const as = async (email: string, path?: string): Promise<Page> => {
    const actor = await signIn(browser, server.baseUrl, email, probe, path);
    actors.push(actor);
    return actor.page;
  };
  const shot = async (page: Page, name: string) => axe.push(...(await capture(page, name, probe)));

  /** A signed-in API caller for setup. */
  async function apiAs(email: string) {
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    if (!login.ok) throw new Error(`login ${email}: ${login.status}`);
    const { accessToken } = (await login.json()) as { accessToken: string };
    return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    // A case of the Belgian police the prosecution takes part in (referred and accepted).
    const officer = await apiAs('officer@be-police.test');
    const prosecutor = await apiAs('prosecutor@be-prosecution.test');
    const created = await officer<{ id: string; reference: string }>('POST', '/api/cases', {
      summary: { exploitationTypes: ['labour'], minor: false },
      identity: { fullName: victimName, dateOfBirth: '1994-02-03' },
    });
    caseId = created.id;
    reference = created.reference;
    const organisations = await officer<{ items: Array<{ id: string; slug: string }> }>('GET', '/api/organisations');
    const prosecution = organisations.items.find((organisation) => organisation.slug === 'be-prosecution')!;
    const referral = await officer<{ id: string }>('POST', `/api/cases/${caseId}/referrals`, {
      toOrganisationId: prosecution.id,
      purpose: 'prosecution',
      urgency: 'routine',
    });
    await prosecutor('POST', `/api/referrals/${referral.id}/accept`, {});
  }, 180_000);

  afterAll(async () => {
    for (const actor of actors) await actor.context.close().catch(() => undefined);
    await browser?.close();
  });

  it('finds the case by its reference in the search box', async () => {
    const page = await as('officer@be-police.test');
    await page.getByLabel('Search by reference').fill(reference);
    await visible(page.getByRole('link', { name: reference }));
    await until(async () => (await page.getByRole('table').getByRole('row').count()) === 2, 'one matching row');
    await shot(page, 'case-work-search');
    await page.getByLabel('Search by reference').fill('LU-1999-99');
    await visible(page.getByText('No case matches this reference.'));
    // Longer than any reference's start: the API refuses it (400), the screen says nothing matches.
    await page.getByLabel('Search by reference').fill(`${reference}9`);
    await visible(page.getByText('No case matches this reference.'));
  });

  it('warns an officer of another agency opening a case for the same person, naming only whom to contact', async () => {
    const page = await as('officer@nl-police.test');
    await page.getByRole('navigation').getByRole('link', { name: 'Open a case' }).click();
    await page.getByRole('checkbox', { name: 'Labour exploitation' }).check();
    await page.getByRole('radio', { name: 'No' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Full name').fill(victimName);
    await page.getByLabel('Date of birth').fill('1994-02-03');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: 'No' }).check();
    await page.getByRole('button', { name: 'Open the case' }).click();
    const warning = page.getByRole('status').filter({ hasText: 'Another agency may already have a case for this person' });
    await visible(warning);
    await containsText(warning, 'Contact ');
    // The Belgian case is not the Dutch officer's to read: no reference, no link to it.
    expect(await warning.textContent()).not.toContain(reference);
    expect(await warning.getByRole('link').count()).toBe(0);
    await shot(page, 'case-work-duplicate-warning');
  });

  it('adds a note that appears in the timeline', async () => {
    const page = await as('officer@be-police.test', `/cases/${caseId}`);
    const text = `Met at the station ${letters(6)}`;
    const form = page.getByRole('form', { name: 'Add a note or contact' });
    await form.getByLabel('Text').fill(text);
    await form.getByRole('button', { name: 'Add' }).click();
    await containsText(page.getByTestId('notes-timeline'), text);
    await shot(page, 'case-work-notes');
  });

  it('a task given to a colleague appears in their My tasks, and marking it done clears it', async () => {
    const page = await as('officer@be-police.test', `/cases/${caseId}`);
    const title = `Call the interpreter ${letters(6)}`;
    const form = page.getByRole('form', { name: 'Give a task to a colleague' });
    await form.getByLabel('Task').fill(title);
    await pick(form.getByRole('combobox', { name: 'Assigned to' }), page, 'officer2 (be-police)');
    await form.getByLabel('Due').fill(localDateTime(Date.now() + 2 * 86_400_000));
    await form.getByRole('button', { name: 'Add task' }).click();
    await visible(page.getByRole('cell', { name: title }));

    const colleague = await as('officer2@be-police.test');
    await colleague.getByRole('navigation').getByRole('link', { name: 'My tasks' }).click();
    await visible(colleague.getByRole('cell', { name: title }));
    await visible(colleague.getByRole('link', { name: reference }));
    await shot(colleague, 'case-work-my-tasks');
    await colleague.getByRole('button', { name: `Mark “${title}” done` }).click();
    await until(async () => (await colleague.getByRole('cell', { name: title }).count()) === 0, 'the task to leave My tasks');
  });

  it('uploads a document and downloads it byte for byte', async () => {
    const page = await as('officer@be-police.test', `/cases/${caseId}`);
    const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4096), Buffer.from('\n%%EOF\n')]);
    const form = page.getByRole('form', { name: 'Add a document' });
    await form.locator('input[type=file]').setInputFiles({ name: 'statement.pdf', mimeType: 'application/pdf', buffer: content });
    await form.getByRole('button', { name: 'Upload' }).click();
    await visible(page.getByTestId('documents').getByRole('cell', { name: 'statement.pdf' }));
    await shot(page, 'case-work-documents');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download statement.pdf' }).click()]);
    // Saved under the document's id: the uploaded name may name the victim and would stay in the download history.
    expect(download.suggestedFilename()).toMatch(/^passage-document-[0-9a-f]{8}\.pdf$/);
    const path = await download.path();
    expect(readFileSync(path).equals(content)).toBe(true);
  });

  it('closing waits for the prosecutor, who rejects it with a reason the lead then sees', async () => {
    const officer = await as('officer@be-police.test', `/cases/${caseId}`);
    await closeCase(officer, 'Lost contact');
    await hasText(officer.getByTestId('case-status'), 'Closing');
    await visible(officer.getByTestId('closure-banner').getByText('Closing waits for the prosecution’s approval'));
    expect(await officer.getByRole('button', { name: 'Close case' }).count()).toBe(0);
    await shot(officer, 'case-work-closing-lead');
    // The case list says "Closing" too.
    const list = await as('officer@be-police.test', '/cases');
    await list.getByLabel('Search by reference').fill(reference);
    const row = list.getByRole('row').filter({ has: list.getByRole('link', { name: reference }) });
    await visible(row.getByText('Closing', { exact: true }));

    const prosecutor = await as('prosecutor@be-prosecution.test', `/cases/${caseId}`);
    const banner = prosecutor.getByTestId('closure-banner');
    await visible(banner.getByRole('button', { name: 'Approve closing' }));
    await shot(prosecutor, 'case-work-closing-prosecutor');
    await banner.getByRole('button', { name: 'Reject closing' }).click();
    const reason = 'The trial is set for March; the victim is a witness.';
    await banner.getByLabel('Why the case must stay open').fill(reason);
    await banner.getByRole('button', { name: 'Keep the case open' }).click();
    await visible(prosecutor.getByText('The prosecution kept the case open'));

    await officer.reload();
    await hasText(officer.getByTestId('closure-rejection-reason'), reason);
    await hasText(officer.getByTestId('case-status'), 'Open');
    await shot(officer, 'case-work-closing-rejected');
  });

  it('approval closes the case; the lead reopens it with a reason', async () => {
    const officer = await as('officer@be-police.test', `/cases/${caseId}`);
    await closeCase(officer, 'Returned home');
    await hasText(officer.getByTestId('case-status'), 'Closing');

    const prosecutor = await as('prosecutor@be-prosecution.test', `/cases/${caseId}`);
    await prosecutor.getByTestId('closure-banner').getByRole('button', { name: 'Approve closing' }).click();
    await hasText(prosecutor.getByTestId('case-status'), 'Closed');
    expect(await prosecutor.getByRole('button', { name: 'Reopen case' }).count()).toBe(0);

    await officer.reload();
    await hasText(officer.getByTestId('case-status'), 'Closed');
    await officer.getByRole('button', { name: 'Reopen case' }).click();
    const dialog = officer.getByRole('dialog');
    await dialog.getByLabel('Reason for reopening').fill('The victim came back to the station with new information.');
    await shot(officer, 'case-work-reopen-dialog');
    await dialog.getByRole('button', { name: 'Reopen the case' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await hasText(officer.getByTestId('case-status'), 'Open');
    await visible(officer.getByText('This case was reopened'));
    await shot(officer, 'case-work-reopened');
  });

  it('kept the victim out of URLs, titles, browser storage and the HTTP cache, and every new page passed axe', async () => {
    expect(probe.seen.length).toBeGreaterThan(10);
    expect(probe.hits(victimName)).toEqual([]);
    expect(probe.hits('Leakcheck')).toEqual([]);
    expect(probe.cacheableApiResponses).toEqual([]);
    expect(axe).toEqual([]);
  });
});

async function closeCase(page: Page, reason: string): Promise<void> {
  await page.getByRole('button', { name: 'Close case' }).click();
  const dialog = page.getByRole('dialog');
  await pick(dialog.getByRole('combobox', { name: 'Reason' }), page, reason);
  await dialog.getByRole('button', { name: 'Close the case' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Letters only: identity matching drops digits from names. */
function letters(length: number): string {
  return [...randomBytes(length)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

/** The value a datetime-local input takes, in the browser's (and this process's) local time. */
function localDateTime(at: number): string {
  const date = new Date(at);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function pick(select: Locator, page: Page, option: string | RegExp): Promise<void> {
  await select.click();
  await page.getByRole('option', { name: option }).first().click();
}
