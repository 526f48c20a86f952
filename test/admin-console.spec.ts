import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { Role } from '../src/access/role';
import { verifyWebhookSignature } from '../src/notifications/webhook-signature';
import { DomainEventType } from '../src/outbox/domain-event';
import type { UserDto } from '../src/users/dto/user.dto';
import { createOrganisation, FACTORY_PASSWORD, uniqueName } from './factories/organisations';
import { createUser } from './factories/users';
import { Demo, NotificationsStack, waitFor } from './notifications.support';
import type { TestApp } from './support/app';

interface AuditRow {
  action: string;
  outcome: string;
  actor_user_id: string;
  sections: string[] | null;
}

/** The body of a plain-text message as nodemailer encodes it (quoted-printable for long lines). */
function quotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const NEW_PASSWORD = 'a-password-of-my-own-2026';

/**
 * Issue 11, the admin console's API: set-password invitations (one-time, 72 h, only a hash
 * stored, e-mailed by the worker), no admin changing its own role, webhook secret rotation and
 * replay of a dead-lettered delivery by the owning org admin, each audited.
 */
describe('admin console API', () => {
  let stack: NotificationsStack;
  let api: TestApp;
  let db: DataSource;
  let demo: Demo;
  let receiver: Server;
  const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  let answer = 500;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    stack = await NotificationsStack.create('admin-console');
    api = await stack.startApi();
    db = api.dataSource;
    demo = new Demo(db);
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack.close();
    await api.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const auditAbout = (kind: string, id: string): Promise<AuditRow[]> =>
    db.query(`SELECT action, outcome, actor_user_id, sections FROM audit_event WHERE justification = $1 ORDER BY seq`, [`${kind}:${id}`]);

  /** The set-password link of the newest invitation e-mail to this address, read from the .eml file the worker wrote. */
  const linkFor = (email: string, after = 0): Promise<string> =>
    waitFor(`the invitation e-mail to ${email}`, async () => {
      const messages = stack
        .emailFiles()
        .map((name) => readFileSync(join(stack.mailDir, name), 'utf8'))
        .filter((text) => text.includes(`To: ${email}`) && /^X-Passage-Invitation-Id: /im.test(text));
      const match = messages.length > after ? /https:\/\/passage\.test\/set-password\?token=([A-Za-z0-9_-]+)/.exec(quotedPrintable(messages.at(-1)!)) : null;
      return match?.[1];
    });

  const setPassword = (token: string, password = NEW_PASSWORD) => api.post<{ type: string }>('/api/auth/set-password', { token, password });

  it('invites a user who sets a password once through the e-mailed link; only a hash of the token is stored, and user.invite is audited', async () => {
    const { adminToken, adminEmail } = await createOrganisation(api);
    const email = `${uniqueName('invited')}@example.test`;
    const invited = await api.post<UserDto>('/api/users/invitations', { email, name: 'Invited Person', role: Role.Officer }, adminToken);
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ email, role: 'officer', active: true });
    const hours = (Date.parse(invited.body.invitedUntil!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(71.9);
    expect(hours).toBeLessThanOrEqual(72);

    const token = await linkFor(email);
    // The database never holds the token: the row has its SHA-256, and after the e-mail no nonce either.
    const rows: Array<Record<string, unknown>> = await waitFor('the e-mail recorded', async () => {
      const found: Array<Record<string, unknown>> = await db.query(`SELECT * FROM user_invitation WHERE user_id = $1`, [invited.body.id]);
      return found[0]?.emailed_at ? found : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toEqual(createHash('sha256').update(token).digest());
    expect(rows[0]!.token_nonce).toBeNull();
    const dump = JSON.stringify(rows, (_key, value: unknown) => (value instanceof Buffer ? value.toString('base64url') : value));
    expect(dump).not.toContain(token);

    // No password works before the link is used.
    expect((await api.post('/api/auth/login', { email, password: FACTORY_PASSWORD })).status).toBe(401);
    // Too short a password is refused and uses nothing up.
    expect((await setPassword(token, 'short')).status).toBe(400);
    expect((await setPassword(token)).status).toBe(204);
    expect(await api.login(email, NEW_PASSWORD)).toEqual(expect.any(String));
    // Single use.
    const again = await setPassword(token, 'another-password-2026');
    expect(again.status).toBe(410);
    expect(again.body.type).toBe('/problems/invitation-used');
    expect(await api.login(email, NEW_PASSWORD)).toEqual(expect.any(String));

    const listed = await api.get<{ items: UserDto[] }>('/api/users', adminToken);
    expect(listed.body.items.find((user) => user.email === email)?.invitedUntil).toBeNull();
    const adminId = (await demo.user(adminEmail)).toLowerCase();
    expect((await auditAbout('user', invited.body.id)).map((row) => [row.action, row.outcome, row.actor_user_id, row.sections])).toEqual([
      ['user.invite', 'allowed', adminId, null],
      ['user.update', 'allowed', invited.body.id, ['password']],
    ]);
  });

  it('refuses an unknown token (400), an expired one and one replaced by a newer invitation (410)', async () => {
    const { adminToken } = await createOrganisation(api);
    expect((await setPassword('x'.repeat(43))).status).toBe(400);

    const email = `${uniqueName('expiring')}@example.test`;
    const invited = await api.post<UserDto>('/api/users/invitations', { email, name: 'Late Person', role: Role.Supervisor }, adminToken);
    expect(invited.status).toBe(201);
    const first = await linkFor(email);
    const again = await api.post<UserDto>(`/api/users/${invited.body.id}/invitation`, {}, adminToken);
    expect(again.status).toBe(201);
    const second = await linkFor(email, 1);
    expect(second).not.toBe(first);
    const replaced = await setPassword(first);
    expect([replaced.status, replaced.body.type]).toEqual([410, '/problems/invitation-revoked']);

    // 72 hours later.
    await db.query(
      `UPDATE user_invitation SET created_at = now() - interval '73 hours', expires_at = now() - interval '1 hour' WHERE user_id = $1 AND revoked_at IS NULL`,
      [invited.body.id],
    );
    const expired = await setPassword(second);
    expect([expired.status, expired.body.type]).toEqual([410, '/problems/invitation-expired']);
    expect((await api.post('/api/auth/login', { email, password: NEW_PASSWORD })).status).toBe(401);
    expect((await auditAbout('user', invited.body.id)).map((row) => row.action)).toEqual(['user.invite', 'user.invite']);
  });

  it('withdraws the open link of a deactivated user, and keeps invitations inside the admin’s organisation', async () => {
    const { adminToken } = await createOrganisation(api);
    const other = await createOrganisation(api);
    const email = `${uniqueName('leaving')}@example.test`;
    const invited = await api.post<UserDto>('/api/users/invitations', { email, name: 'Leaving Person', role: Role.Supervisor }, adminToken);
    const token = await linkFor(email);
    // Another organisation's admin cannot see, re-invite or change this user.
    expect((await api.post(`/api/users/${invited.body.id}/invitation`, {}, other.adminToken)).status).toBe(404);
    expect((await api.patch(`/api/users/${invited.body.id}`, { active: false }, other.adminToken)).status).toBe(404);
    // Org admins invite only roles of their organisation type, never platform admins; other roles are refused.
    expect((await api.post('/api/users/invitations', { email: `x-${email}`, name: 'X', role: Role.PlatformAdmin }, adminToken)).status).toBe(403);
    expect((await api.post('/api/users/invitations', { email: `y-${email}`, name: 'Y', role: Role.Caseworker }, adminToken)).status).toBe(422);
    expect((await api.post('/api/users/invitations', { email, name: 'Again', role: Role.Supervisor }, adminToken)).status).toBe(409);
    const officer = await api.login('officer@be-police.test');
    expect((await api.post('/api/users/invitations', { email: `z-${email}`, name: 'Z', role: Role.Officer }, officer)).status).toBe(403);

    const deactivated = await api.patch<UserDto>(`/api/users/${invited.body.id}`, { active: false }, adminToken);
    expect(deactivated.body.invitedUntil).toBeNull();
    const refused = await setPassword(token);
    expect([refused.status, refused.body.type]).toEqual([410, '/problems/invitation-revoked']);
    expect((await api.post(`/api/users/${invited.body.id}/invitation`, {}, adminToken)).status).toBe(409);
  });

  it('invites the first admin of a new organisation when no password is given', async () => {
    const platform = await api.login('admin@platform.test');
    const slug = uniqueName('shelter');
    const email = `admin@${slug}.test`;
    const created = await api.post<{ id: string; admin: UserDto }>(
      '/api/organisations',
      { slug, name: `Shelter ${slug}`, type: 'reception_centre', country: 'BE', bedsTotal: 3, acceptsMinors: true, admin: { email, name: 'First Admin' } },
      platform,
    );
    expect(created.status).toBe(201);
    expect(created.body.admin.invitedUntil).toEqual(expect.any(String));
    expect((await setPassword(await linkFor(email))).status).toBe(204);
    expect(await api.login(email, NEW_PASSWORD)).toEqual(expect.any(String));
    expect((await auditAbout('organisation', created.body.id)).map((row) => row.action)).toEqual(['organisation.create']);
    expect((await auditAbout('user', created.body.admin.id)).map((row) => row.action)).toEqual(['user.invite', 'user.update']);
  });

  it('never lets an admin change its own role (403, audited as denied), and ends the sessions of a deactivated user', async () => {
    const { adminToken, adminEmail } = await createOrganisation(api);
    const adminId = (await demo.user(adminEmail)).toLowerCase();
    const own = await api.patch(`/api/users/${adminId}`, { role: Role.Officer }, adminToken);
    expect(own.status).toBe(403);
    expect((await api.patch(`/api/users/${adminId}`, { role: Role.PlatformAdmin }, adminToken)).status).toBe(403);
    expect((await auditAbout('user', adminId)).map((row) => [row.action, row.outcome])).toContainEqual(['user.update', 'denied']);

    const officer = await createUser(api, adminToken, Role.Officer);
    const officerToken = await api.login(officer.email, officer.password);
    expect((await api.get('/api/me', officerToken)).status).toBe(200);
    expect((await api.patch(`/api/users/${officer.user.id}`, { active: false }, adminToken)).status).toBe(200);
    expect((await api.get('/api/me', officerToken)).status).toBe(401);
  });

  it('rotates a webhook secret for the owning org admin only, audited, and signs deliveries with the new one; replays a dead-lettered delivery', async () => {
    const organisationId = await demo.organisation('lu-police');
    const admin = await api.login('admin@lu-police.test');
    const path = `/${uniqueName('hook')}`;
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`;
    const created = await api.post<{ id: string; secret: string }>(
      `/api/organisations/${organisationId}/webhooks`,
      { url, events: [DomainEventType.ConsentWithdrawn] },
      admin,
    );
    expect(created.status).toBe(201);
    const base = `/api/organisations/${organisationId}/webhooks/${created.body.id}`;

    const stranger = await createOrganisation(api);
    expect((await api.post(`${base}/secret`, {}, stranger.adminToken)).status).toBe(403);
    expect((await api.post(`/api/organisations/${organisationId}/webhooks/${crypto.randomUUID()}/secret`, {}, admin)).status).toBe(404);
    const rotated = await api.post<{ id: string; secret: string }>(`${base}/secret`, {}, admin);
    expect(rotated.status).toBe(200);
    expect(rotated.body.id).toBe(created.body.id);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);

    // Every attempt fails: the delivery is dead-lettered after its seven attempts.
    answer = 500;
    const kase = await demo.createCase('LU');
    await demo.emit({ type: DomainEventType.ConsentWithdrawn, caseId: kase.id, organisationIds: [organisationId] });
    const dead = await waitFor(
      'a dead-lettered delivery',
      async () => {
        const page = await api.get<{ items: Array<{ id: string; status: string; attempts: number }> }>(`${base}/deliveries`, admin);
        return page.body.items.find((item) => item.status === 'dead');
      },
      30_000,
    );
    expect(dead.attempts).toBe(7);
    const sent = received.filter((request) => request.path === path);
    expect(sent.every((request) => verifyWebhookSignature(rotated.body.secret, request.body, request.headers['x-passage-signature'] as string))).toBe(true);
    expect(sent.some((request) => verifyWebhookSignature(created.body.secret, request.body, request.headers['x-passage-signature'] as string))).toBe(false);

    const replayUrl = `${base}/deliveries/${dead.id}/replay`;
    expect((await api.post(replayUrl, {}, stranger.adminToken)).status).toBe(403);
    expect((await api.post(`/api/organisations/${organisationId}/webhooks/${crypto.randomUUID()}/deliveries/${dead.id}/replay`, {}, admin)).status).toBe(404);
    answer = 200;
    const replayed = await api.post<{ status: string }>(replayUrl, {}, admin);
    expect(replayed.status).toBe(202);
    expect(replayed.body.status).toBe('pending');
    await waitFor('the replayed delivery', async () => {
      const page = await api.get<{ items: Array<{ id: string; status: string; replays: number }> }>(`${base}/deliveries`, admin);
      const item = page.body.items.find((entry) => entry.id === dead.id);
      return item?.status === 'delivered' && item.replays === 1;
    });
    const conflict = await api.post<{ type: string }>(replayUrl, {}, admin);
    expect([conflict.status, conflict.body.type]).toEqual([409, '/problems/delivery-not-dead']);

    expect((await api.request('DELETE', base, { token: admin })).status).toBe(204);
    expect((await api.post(`${base}/secret`, {}, admin)).status).toBe(409);
    const adminId = (await demo.user('admin@lu-police.test')).toLowerCase();
    expect((await auditAbout('webhook', created.body.id)).map((row) => [row.action, row.actor_user_id])).toEqual([
      ['webhook.create', adminId],
      ['webhook.rotate_secret', adminId],
      ['webhook.replay', adminId],
      ['webhook.delete', adminId],
    ]);
  });
});
