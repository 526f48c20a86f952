import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type Actor, baseUrl, capture, launchBrowser, PASSWORD, PrivacyProbe, signIn, until, visible, hasText, containsText } from './support';

/**
 * The screenshots listed in docs/web-app.md, rewritten only with UPDATE_DOC_SCREENSHOTS=1 (so a
 * test run leaves the committed PNGs alone); viewport only, except statistics, to keep them small.
 */
const DOC_SCREENSHOTS = resolve('docs/screenshots');

/**
 * The supervision console (issue 11) in a real browser against the built platform: a supervisor
 * finds an officer's read of a case by its reference and sees the officer's name, exports CSV,
 * reviews an emergency access with a verdict, verifies the audit log; oversight reads the
 * statistics as charts and tables. Every console page is scanned for the victim's name.
 */
describe('supervision console journeys', () => {
  const server = { baseUrl: baseUrl() };
  let browser: Browser;
  const probe = new PrivacyProbe();
  const axe: string[] = [];
  const actors: Actor[] = [];
  /** Only this run's victim has this name: any hit on a console page is case content shown to a supervisor. */
  const victimName = `Mirela Consolecheck ${randomBytes(3).toString('hex')}`;
  /** Every console page's text, as rendered, for the content scan at the end. */
  const consoleTexts: Array<{ page: string; text: string }> = [];
  let kase: { id: string; reference: string };
  let officerName = '';

  const api = async <T>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  };
  const login = async (email: string): Promise<string> => {
    const response = await api<{ accessToken: string }>('POST', '/api/auth/login', undefined, { email, password: PASSWORD });
    expect(response.status).toBe(200);
    return response.body.accessToken;
  };
  const as = async (email: string, path: string): Promise<Page> => {
    const actor = await signIn(browser, server.baseUrl, email, probe, path);
    actors.push(actor);
    return actor.page;
  };
  /** Test artefact + axe + the page's text for the content scan + the documented screenshot. */
  const shot = async (page: Page, name: string, fullPage = false): Promise<void> => {
    axe.push(...(await capture(page, name, probe)));
    consoleTexts.push({ page: name, text: await page.content() });
    if (process.env.UPDATE_DOC_SCREENSHOTS) await page.screenshot({ path: join(DOC_SCREENSHOTS, `${name}.png`), fullPage });
  };

  beforeAll(async () => {
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    browser = await launchBrowser();
    // The case the supervisors audit: opened by an officer, read by that officer, and opened with
    // emergency access by a prosecutor whose organisation does not take part.
    const officer = await login('officer@be-police.test');
    const created = await api<{ id: string; reference: string }>('POST', '/api/cases', officer, {
      summary: { exploitationTypes: ['labour'], minor: false, ageGroup: '26-40', languages: ['ro'], riskLevel: 'medium' },
      identity: { fullName: victimName, dateOfBirth: '1994-03-02', nationality: 'RO' },
    });
    expect(created.status).toBe(201);
    kase = { id: created.body.id, reference: created.body.reference };
    expect((await api('GET', `/api/cases/${kase.id}`, officer)).status).toBe(200);
    const me = await api<{ name: string }>('GET', '/api/me', officer);
    officerName = me.body.name;
    const prosecutor = await login('prosecutor@be-prosecution.test');
    const grant = await api('POST', `/api/cases/${kase.id}/break-glass`, prosecutor, {
      justification: 'Suspect arrested tonight; we must check the identity before the hearing',
    });
    expect(grant.status).toBe(201);
    // Enough activity this month for the statistics to publish figures (cells under 5 show "<5"):
    // six more cases, each referred to the prosecution, which accepts them.
    const organisations = await api<{ items: Array<{ id: string; slug: string }> }>('GET', '/api/organisations?country=BE', officer);
    const prosecution = organisations.body.items.find((organisation) => organisation.slug === 'be-prosecution')!.id;
    const shelter = organisations.body.items.find((organisation) => organisation.slug === 'be-shelter-antwerp')!.id;
    for (let i = 0; i < 6; i += 1) {
      const more = await api<{ id: string }>('POST', '/api/cases', officer, {
        summary: { exploitationTypes: i % 2 ? ['labour'] : ['sexual', 'labour'], minor: false, ageGroup: '18-25', languages: ['ro'], riskLevel: 'low' },
        identity: { fullName: `${victimName} ${i}`, nationality: 'RO' },
      });
      expect(more.status).toBe(201);
      const referral = await api<{ id: string }>('POST', `/api/cases/${more.body.id}/referrals`, officer, {
        toOrganisationId: prosecution,
        purpose: 'prosecution',
        urgency: 'routine',
      });
      expect(referral.status).toBe(201);
      expect((await api('POST', `/api/referrals/${referral.body.id}/accept`, prosecutor, {})).status).toBe(200);
    }
    // One placement: the shelter's occupied beds (1) are published as "<5".
    const placed = await api<{ id: string }>('POST', `/api/cases/${kase.id}/referrals`, officer, {
      toOrganisationId: shelter,
      purpose: 'shelter',
      urgency: 'urgent',
      consent: { given: true, by: 'victim', recordedAt: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(placed.status).toBe(201);
    expect((await api('POST', `/api/referrals/${placed.body.id}/accept`, await login('caseworker@be-shelter-antwerp.test'), {})).status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    for (const actor of actors) await actor.context.close().catch(() => undefined);
    await browser?.close();
  });

  it("a supervisor finds an officer's read of a case by its reference and sees the officer's name", async () => {
    // A deep link opened signed out: after sign-in the same page opens.
    const page = await as('supervisor@be-police.test', '/audit/access-log');
    await page.getByRole('heading', { level: 1, name: 'Case access log' }).waitFor();
    await shot(page, 'console-access-log-find');
    await page.getByLabel('Case reference').fill(kase.reference);
    await page.getByRole('button', { name: 'Open the access log' }).click();
    await page.waitForURL(`**/cases/${kase.id}/access-log`);
    await page.getByRole('heading', { level: 1, name: `Access log of ${kase.reference}` }).waitFor();
    const read = page.getByTestId('audit-events').getByRole('row').filter({ hasText: 'case.read' }).filter({ hasText: officerName });
    await visible(read);
    await containsText(read.first(), 'Police, Belgium');
    await shot(page, 'console-access-log');
    expect(await page.title()).toBe(`Access log of ${kase.reference} – Passage`);

    // The same search in the audit console, filters in the query string (bookmarkable).
    await page.getByRole('navigation').getByRole('link', { name: 'Audit search' }).click();
    await page.getByLabel('Case reference').fill(kase.reference);
    // Every action the API records is offered, labelled: admin ones too.
    await page.getByRole('combobox', { name: 'Action', exact: true }).click();
    await visible(page.getByRole('option', { name: 'User invited (user.invite)', exact: true }));
    await visible(page.getByRole('option', { name: 'Webhook secret rotated (webhook.rotate_secret)', exact: true }));
    await visible(page.getByRole('option', { name: 'Closing requested (case.close_requested)', exact: true }));
    await page.getByRole('option', { name: 'Case read (case.read)', exact: true }).click();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('caseReference') === kase.reference && url.searchParams.get('action') === 'case.read');
    await visible(page.getByTestId('audit-events').getByRole('row').filter({ hasText: officerName }));
    await shot(page, 'console-audit');
    // Reloading the bookmarked address shows the same search.
    await page.reload();
    await visible(page.getByTestId('audit-events').getByRole('row').filter({ hasText: officerName }));
    expect(await page.getByLabel('Case reference').inputValue()).toBe(kase.reference);
  });

  it('exports the search as CSV through the browser, with readable names and no case content', async () => {
    const page = await as('supervisor@be-police.test', `/audit?caseReference=${kase.reference}`);
    await visible(page.getByTestId('audit-events').getByRole('row').filter({ hasText: officerName }));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^passage-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toBe(
      '"id","at","actorUserId","actorOrganisationId","actorRole","action","caseId","sections","outcome","legalBasis","justification","requestId","ip","actorName","actorOrganisationName","caseReference"',
    );
    expect(rows.some((row) => row.includes('"case.read"') && row.includes(`"${officerName}"`) && row.endsWith(`"${kase.reference}"`))).toBe(true);
    expect(rows.every((row) => row.endsWith(`"${kase.reference}"`))).toBe(true);
    expect(csv).not.toContain(victimName);
  });

  it('reviews an emergency access with a verdict; not justified tells the lead organisation', async () => {
    const page = await as('supervisor@be-police.test', '/audit/break-glass');
    const card = page.getByTestId('break-glass-grant').filter({ hasText: kase.reference });
    await visible(card);
    await containsText(card, 'Used by prosecutor (be-prosecution), Public Prosecution, Belgium');
    await containsText(card, 'Suspect arrested tonight');
    await shot(page, 'console-break-glass');
    await card.getByRole('button', { name: 'Record the review' }).click();
    await visible(card.getByText('Choose a verdict.'));
    await card.getByRole('radio', { name: 'Not justified' }).check();
    await visible(card.getByText('The lead organisation of the case will be told'));
    await card.getByLabel('Review note').fill('No hearing was scheduled; the identity could wait for the prosecutor’s request.');
    await card.getByRole('button', { name: 'Record the review' }).click();
    await card.waitFor({ state: 'detached' });

    await page.getByText('Reviewed', { exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('reviewed') === 'true');
    const reviewed = page.getByTestId('break-glass-grant').filter({ hasText: kase.reference });
    await hasText(reviewed.getByTestId('verdict'), 'Not justified');
    await containsText(reviewed, 'No hearing was scheduled');
    await shot(page, 'console-break-glass-reviewed');

    // The lead organisation's officers are told through the outbox and the worker.
    const officer = await login('officer@be-police.test');
    await until(async () => {
      const inbox = await api<{ items: Array<{ title: string }> }>('GET', '/api/notifications', officer);
      return inbox.body.items.some((item) => item.title.includes(kase.reference) && item.title.includes('not justified'));
    }, 'the not-justified notice in the officer inbox');
  });

  it('shows the latest signed checkpoint and verifies the log with progress, without blocking the page', async () => {
    const page = await as('supervisor@be-oversight.test', '/audit/log');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    // The worker signs a checkpoint every second while events arrive.
    await until(async () => Number((await page.getByTestId('tree-size').textContent({ timeout: 1000 }))?.replace(/\D/g, '')) > 0, 'a signed checkpoint');
    await containsText(page.getByTestId('checkpoint-note'), '/audit');
    await page.getByTestId('verify-now').click();
    // The page stays usable while the verification runs.
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).focus();
    await hasText(page.getByTestId('verify-result').locator('.mantine-Alert-title'), 'The log is intact');
    await containsText(page.getByTestId('verify-result'), 'entries checked against the checkpoint');
    await shot(page, 'console-audit-log');
  });

  it('oversight sees the statistics page with charts and the same figures in tables, "<5" exactly as the API gives it', async () => {
    const page = await as('supervisor@be-oversight.test', '/statistics');
    await page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
    await visible(page.getByTestId('stats-note'));
    // The shelter's one occupied bed: a cell under 5, shown exactly as the API gives it.
    const beds = page.locator('section[aria-labelledby=stats-beds] [data-testid=figures] tr').filter({ hasText: 'Reception Centre Antwerp' });
    await visible(beds);
    expect((await beds.locator('td').allTextContents()).map((cell) => cell.trim())).toEqual(['<5']);
    const charts = page.getByTestId('chart');
    await until(async () => (await charts.count()) >= 5, 'five charts');
    expect(await page.locator('[data-testid=chart] svg.recharts-surface').count()).toBeGreaterThanOrEqual(5);
    expect(await page.getByTestId('figures').count()).toBeGreaterThanOrEqual(5);
    // The page shows the API's figures as given: compare the month table's total row with the API.
    const statistics = await api<{ total: { casesOpened: number | string; casesClosed: number | string } }>(
      'GET',
      '/api/statistics?groupBy=month',
      await login('supervisor@be-oversight.test'),
    );
    const total = page.locator('section[aria-labelledby=stats-month] [data-testid=figures] tr').filter({ hasText: 'Total' });
    expect((await total.locator('td').allTextContents()).map((cell) => cell.trim())).toEqual([
      String(statistics.body.total.casesOpened),
      String(statistics.body.total.casesClosed),
    ]);
    await shot(page, 'console-statistics', true);

    // A supervisor sees the console's entries; an officer does not.
    const nav = (await page.getByRole('navigation').getByRole('link').allTextContents()).map((text) => text.trim());
    expect(nav).toEqual(expect.arrayContaining(['Audit search', 'Case access log', 'Emergency access review', 'Audit log', 'Statistics']));
    const officer = await as('officer@be-police.test', '/cases');
    const officerNav = (await officer.getByRole('navigation').getByRole('link').allTextContents()).join(' ');
    expect(officerNav).not.toMatch(/Audit|Statistics|Emergency access review/);
  });

  it('never shows case content on a console page, and every page passes axe and the privacy scan', () => {
    expect(consoleTexts.map((entry) => entry.page).sort()).toEqual(
      [
        'console-access-log',
        'console-access-log-find',
        'console-audit',
        'console-audit-log',
        'console-break-glass',
        'console-break-glass-reviewed',
        'console-statistics',
      ].sort(),
    );
    expect(consoleTexts.filter((entry) => entry.text.includes(victimName) || entry.text.includes('Consolecheck')).map((entry) => entry.page)).toEqual([]);
    expect(probe.hits(victimName)).toEqual([]);
    expect(probe.hits('Consolecheck')).toEqual([]);
    expect(probe.cacheableApiResponses.filter((path) => path.startsWith('/api/audit') || path.startsWith('/api/statistics'))).toEqual([]);
    expect(axe).toEqual([]);
  });
});
