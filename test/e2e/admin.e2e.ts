import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type Actor, baseUrl, capture, launchBrowser, PASSWORD, PrivacyProbe, signIn } from './support';

/** Small screenshots of each admin screen for docs/web-app.md, rewritten only when asked (DOCS_SCREENSHOTS=1). */
const DOCS_SCREENSHOTS = resolve('docs/screenshots');

/** The body of a plain-text message as nodemailer writes it (quoted-printable for long lines). */
function quotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

/**
 * The administration console of issue 11 in a real browser: an org admin invites a user who sets a
 * password through the e-mailed link and signs in; an org admin registers a webhook and sees a
 * delivery arrive; the platform admin adds an organisation with an invited first admin.
 */
describe('administration console journeys', () => {
  const server = { baseUrl: baseUrl() };
  let browser: Browser;
  const probe = new PrivacyProbe();
  const axe: string[] = [];
  const actors: Actor[] = [];
  const victimName = `Mara Adminleak ${randomBytes(3).toString('hex')}`;
  let receiver: Server;
  const received: string[] = [];

  const as = async (email: string, path: string): Promise<Page> => {
    const actor = await signIn(browser, server.baseUrl, email, probe, path);
    actors.push(actor);
    return actor.page;
  };
  const shot = async (page: Page, name: string) => {
    axe.push(...(await capture(page, name, probe)));
    expect(await page.content()).not.toContain(victimName);
    if (process.env.DOCS_SCREENSHOTS === '1') {
      mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(DOCS_SCREENSHOTS, `${name}.png`) });
    }
  };

  /** The set-password link of the newest invitation e-mail to this address. */
  const invitationLink = (email: string): Promise<string> =>
    eventually(`the invitation e-mail to ${email}`, () => {
      const dir = process.env.PASSAGE_E2E_MAIL_DIR!;
      const names = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.eml')) : [];
      const message = names
        .sort()
        .map((name) => quotedPrintable(readFileSync(join(dir, name), 'utf8')))
        .filter((text) => text.includes(`To: ${email}`) && /^X-Passage-Invitation-Id: /im.test(text))
        .at(-1);
      return message ? /(http:\/\/[^\s]+\/set-password\?token=[A-Za-z0-9_-]+)/.exec(message)?.[1] : undefined;
    });

  beforeAll(async () => {
    browser = await launchBrowser();
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  }, 180_000);

  afterAll(async () => {
    for (const actor of actors) await actor.context.close().catch(() => undefined);
    await browser?.close();
    await new Promise((done) => receiver?.close(done));
  });

  it('org admin invites a user, who sets a password through the e-mailed link and signs in', async () => {
    // A deep link survives sign-in.
    const page = await as('admin@be-police.test', '/admin/users');
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    // The admin's own role cannot be changed.
    expect(await page.getByRole('combobox', { name: /^Role of admin \(be-police\)/ }).isDisabled()).toBe(true);

    const email = `new-officer-${randomBytes(3).toString('hex')}@be-police.test`;
    const form = page.getByRole('region', { name: 'Invite a user' });
    await form.getByLabel('Name').fill('Nora Newcomer');
    await form.getByLabel('E-mail address').fill(email);
    await form.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Police officer' }).click();
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${email}.`).waitFor();
    await page
      .getByRole('row', { name: new RegExp(email) })
      .getByText('Invited')
      .waitFor();
    await shot(page, 'admin-users');

    const link = await invitationLink(email);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    actors.push({ context, page: await context.newPage() });
    const invitee = actors.at(-1)!.page;
    probe.watch(invitee);
    await invitee.goto(link);
    await invitee.getByRole('heading', { name: 'Choose your Passage password' }).waitFor();
    // The token is read once and taken out of the address bar (and so out of history and bookmarks).
    expect(invitee.url()).toBe(`${server.baseUrl}/set-password`);
    const token = new URL(link).searchParams.get('token')!;
    await invitee.getByLabel(/^New password/).fill('my-own-password-2026');
    await invitee.getByLabel(/^Repeat the password/).fill('my-own-password-2026');
    await shot(invitee, 'admin-set-password');
    await invitee.getByRole('button', { name: 'Set password' }).click();
    await invitee.getByText('Your password is set. You can sign in now.').waitFor();
    // Only the opening navigation carried the token: the address, title and storage now hold none of it.
    const afterwards = new PrivacyProbe();
    await afterwards.sample(invitee);
    expect(afterwards.hits(token)).toEqual([]);
    await invitee.getByRole('link', { name: 'Sign in' }).click();
    await invitee.getByLabel('E-mail address').fill(email);
    await invitee.locator('input[type=password]').fill('my-own-password-2026');
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    await invitee.getByRole('navigation').getByRole('link', { name: 'My cases' }).waitFor();

    // The link worked once.
    await invitee.goto(link);
    await invitee.getByLabel(/^New password/).fill('another-password-2026');
    await invitee.getByLabel(/^Repeat the password/).fill('another-password-2026');
    await invitee.getByRole('button', { name: 'Set password' }).click();
    await invitee.getByText('This link has been used or has expired.').waitFor();
  });

  it('org admin registers a webhook, sees its secret once and a delivery in its log', async () => {
    const page = await as('admin@be-prosecution.test', '/admin/webhooks');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/passage`;
    const form = page.getByRole('region', { name: 'Register a webhook' });
    await form.getByLabel('Address (URL)').fill(url);
    await form.getByLabel('Events').click();
    await page.getByRole('option', { name: 'referral.received' }).click();
    await page.keyboard.press('Escape');
    await form.getByRole('button', { name: 'Register' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await shot(page, 'admin-webhooks-secret');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByText(secret).count()).toBe(0);

    // An officer refers a case to this prosecution office (through the API, as the web app would).
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'officer@be-police.test', password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
    const created = await fetch(`${server.baseUrl}/api/cases`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        summary: { exploitationTypes: ['labour'], minor: false, ageGroup: '26-40', languages: ['ro'], riskLevel: 'medium' },
        identity: { fullName: victimName, dateOfBirth: '1990-04-12', nationality: 'RO' },
      }),
    });
    expect(created.status).toBe(201);
    const kase = (await created.json()) as { id: string };
    const prosecution = (await (await fetch(`${server.baseUrl}/api/organisations?type=prosecution&country=BE`, { headers })).json()) as {
      items: Array<{ id: string }>;
    };
    const referred = await fetch(`${server.baseUrl}/api/cases/${kase.id}/referrals`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ toOrganisationId: prosecution.items[0]!.id, purpose: 'prosecution', urgency: 'routine' }),
    });
    expect(referred.status).toBe(201);
    await eventually('the webhook delivery at the receiver', () => (received.some((body) => body.includes('referral.received')) ? true : undefined));
    expect(received.join('\n')).not.toContain(victimName);

    await page.getByRole('button', { name: 'Delivery log' }).first().click();
    expect(new URL(page.url()).searchParams.get('webhook')).toMatch(/^[0-9a-f-]{36}$/);
    const log = page.getByRole('region', { name: 'Delivery log' });
    await log.getByText('Delivered').waitFor({ timeout: 15_000 });
    await log.getByRole('cell', { name: 'referral.received' }).waitFor();
    await shot(page, 'admin-webhooks');

    // The delivery log's address is a bookmark: it opens the same log.
    await page.reload();
    await page.getByRole('region', { name: 'Delivery log' }).getByText('Delivered').waitFor();

    await page.getByRole('button', { name: 'New secret' }).first().click();
    const rotated = (await page.getByTestId('webhook-secret').textContent()) ?? '';
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
  });

  it('platform admin adds a reception centre whose first admin is invited', async () => {
    const page = await as('admin@platform.test', '/admin/organisations');
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Users' }).count()).toBe(0);
    const slug = `be-shelter-${randomBytes(3).toString('hex')}`;
    const form = page.getByRole('region', { name: 'Add an organisation' });
    await form.getByLabel(/^Name\s*\*?$/).fill('Reception Centre Leuven');
    await form.getByLabel('Short name').fill(slug);
    await form.getByRole('combobox', { name: 'Type' }).click();
    await page.getByRole('option', { name: 'Reception centre' }).click();
    await form.getByRole('combobox', { name: 'Country' }).click();
    await page.getByRole('option', { name: 'Belgium' }).click();
    await form.getByLabel('Beds').fill('6');
    await form.getByLabel('Accepts minors').check();
    await form.getByLabel('Name of its first admin').fill('Lena Leuven');
    await form.getByLabel('E-mail of its first admin').fill(`admin@${slug}.test`);
    await form.getByRole('button', { name: 'Add and invite its admin' }).click();
    await page.getByText(`Reception Centre Leuven was added; an invitation went to admin@${slug}.test.`).waitFor();
    const row = page.getByRole('row', { name: /Reception Centre Leuven/ });
    await row.getByText('6 free').waitFor();
    await shot(page, 'admin-organisations');
    await invitationLink(`admin@${slug}.test`);

    await row.getByRole('button', { name: 'Deactivate Reception Centre Leuven' }).click();
    await row.getByRole('button', { name: 'Reactivate Reception Centre Leuven' }).waitFor();
  });

  it('leaves no serious or critical axe finding and no victim name in any URL, title or storage', () => {
    expect(axe).toEqual([]);
    expect(probe.hits(victimName)).toEqual([]);
    expect(probe.cacheableApiResponses).toEqual([]);
  });
});
