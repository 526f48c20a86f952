import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { type Actor, baseUrl, capture, launchBrowser, PASSWORD, PrivacyProbe, signIn } from './support';

/** The API as a script sees it, for setting up what the journeys start from (their own screens have their own journeys). */
async function apiCall<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl()}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

const login = async (email: string): Promise<string> =>
  (await apiCall<{ accessToken: string }>('POST', '/api/auth/login', null, { email, password: PASSWORD })).accessToken;

/** Issue 16 in the browser: the lead organisation downloads the victim's subject report; the prosecutor puts the case under a legal hold. */
describe("victims' rights journeys", () => {
  let browser: Browser;
  const probe = new PrivacyProbe();
  const axe: string[] = [];
  const actors: Actor[] = [];
  const victimName = `Mirela Rightscheck ${randomBytes(3).toString('hex')}`;
  let caseId = '';

  const as = async (email: string, path: string): Promise<Page> => {
    const actor = await signIn(browser, baseUrl(), email, probe, path);
    actors.push(actor);
    return actor.page;
  };
  const shot = async (page: Page, name: string) => axe.push(...(await capture(page, name, probe)));

  beforeAll(async () => {
    browser = await launchBrowser();
    // A case of the Belgian police, with a note, referred to and accepted by the prosecution.
    const officer = await login('officer@be-police.test');
    const created = await apiCall<{ id: string }>('POST', '/api/cases', officer, {
      summary: { exploitationTypes: ['labour'], minor: false, languages: ['en'] },
      identity: { fullName: victimName, nationality: 'RO' },
    });
    caseId = created.id;
    await apiCall('POST', `/api/cases/${caseId}/notes`, officer, { body: 'Victim asked for a copy of her file', visibility: 'participants', kind: 'contact' });
    const organisations = await apiCall<{ items: Array<{ id: string; slug: string }> }>('GET', '/api/organisations?type=prosecution', officer);
    const prosecution = organisations.items.find((organisation) => organisation.slug === 'be-prosecution')!;
    const referral = await apiCall<{ id: string }>('POST', `/api/cases/${caseId}/referrals`, officer, {
      toOrganisationId: prosecution.id,
      purpose: 'prosecution',
      urgency: 'routine',
    });
    await apiCall('POST', `/api/referrals/${referral.id}/accept`, await login('prosecutor@be-prosecution.test'), {});
  }, 180_000);

  afterAll(async () => {
    for (const actor of actors) await actor.context.close().catch(() => undefined);
    await browser?.close();
  });

  it('the lead officer downloads the subject report as a PDF', async () => {
    const page = await as('officer@be-police.test', `/cases/${caseId}`);
    const button = page.getByRole('button', { name: 'Subject report (PDF)' });
    await button.waitFor();
    await shot(page, 'rights-case-officer');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^subject-report-BE-\d{4}-\d{6}\.pdf$/);
    const path = await download.path();
    expect(readFileSync(path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The report was fetched with the bearer token, never by an address holding anything about the victim.
    expect(page.url()).toMatch(/\/cases\/[0-9a-f-]{36}$/);
  });

  it('the prosecutor sees no subject report button, sets a legal hold and sees it on the case', async () => {
    const page = await as('prosecutor@be-prosecution.test', `/cases/${caseId}`);
    await page.getByRole('heading', { name: 'Legal hold' }).waitFor();
    expect(await page.getByRole('button', { name: 'Subject report (PDF)' }).count()).toBe(0);
    await page.getByText('No legal hold').waitFor();
    await page.getByRole('button', { name: 'Set legal hold' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Criminal proceedings 2026/117 pending');
    await shot(page, 'rights-legal-hold-dialog');
    await dialog.getByRole('button', { name: 'Set the hold' }).click();
    await page.getByText('Under legal hold').waitFor();
    await page.getByText(/Criminal proceedings 2026\/117 pending/).waitFor();
    await shot(page, 'rights-legal-hold-set');
    // The officer of the lead organisation sees the hold too, without the button to lift it.
    const officer = await as('officer@be-police.test', `/cases/${caseId}`);
    await officer.getByText('Under legal hold').waitFor();
    expect(await officer.getByRole('button', { name: 'Lift legal hold' }).count()).toBe(0);
  });

  it('kept the victim out of URLs, titles, browser storage and the HTTP cache, and every page passed axe', async () => {
    expect(probe.seen.length).toBeGreaterThan(5);
    expect(probe.hits(victimName)).toEqual([]);
    expect(probe.hits('Rightscheck')).toEqual([]);
    expect(probe.cacheableApiResponses).toEqual([]);
    expect(axe).toEqual([]);
  });
});
