import { Role } from '../src/access/role';
import { DomainEventType } from '../src/outbox/domain-event';
import { createOrganisation, FACTORY_PASSWORD, uniqueName } from './factories/organisations';
import { createUser } from './factories/users';
import { TestApp } from './support/app';

interface AuditRow {
  action: string;
  outcome: string;
  actor_user_id: string;
  actor_organisation_id: string;
  sections: string[] | null;
  justification: string;
  request_id: string;
}

/** Issue 14, finding 3: every administrative change is an audit event naming its target and the fields changed, never their values. */
describe('auditing of administrative changes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  });
  afterAll(() => t.close());

  const eventsAbout = async (kind: string, id: string): Promise<AuditRow[]> => {
    const rows: AuditRow[] = await t.dataSource.query(
      `SELECT action, outcome, actor_user_id, actor_organisation_id, sections, justification, request_id FROM audit_event WHERE justification = $1 ORDER BY seq`,
      [`${kind}:${id}`],
    );
    // Ids and field names only: no name, e-mail or URL of what was changed.
    expect(JSON.stringify(rows)).not.toMatch(/@|Renamed|example|http/);
    return rows;
  };

  const idOf = async (email: string): Promise<string> => {
    const rows: Array<{ id: string }> = await t.dataSource.query(`SELECT id FROM "user" WHERE email = $1`, [email]);
    return rows[0]!.id;
  };

  it('audits organisation.create with its first admin as user.create, and organisation.update with the fields changed', async () => {
    const platformAdmin = await t.login('admin@platform.test');
    const platformAdminId = await idOf('admin@platform.test');
    const { organisation, adminEmail } = await createOrganisation(t, { type: 'reception_centre' as never, bedsTotal: 4 });
    expect(await eventsAbout('organisation', organisation.id)).toEqual([
      expect.objectContaining({ action: 'organisation.create', outcome: 'allowed', actor_user_id: platformAdminId, sections: null }),
    ]);
    expect(await eventsAbout('user', await idOf(adminEmail))).toEqual([expect.objectContaining({ action: 'user.create', actor_user_id: platformAdminId })]);

    const patched = await t.request('PATCH', `/api/organisations/${organisation.id}`, {
      token: platformAdmin,
      body: { name: 'Renamed Shelter', bedsTotal: 6, acceptsMinors: false },
      headers: { 'x-request-id': 'admin-audit-org-update' },
    });
    expect(patched.status).toBe(200);
    const events = await eventsAbout('organisation', organisation.id);
    expect(events[1]).toMatchObject({ action: 'organisation.update', sections: ['name', 'bedsTotal'], request_id: 'admin-audit-org-update' });
    expect(events).toHaveLength(2);
  });

  it('audits user.create and user.update with which of role, active and name changed', async () => {
    const { organisation, adminToken, adminEmail } = await createOrganisation(t);
    const adminId = await idOf(adminEmail);
    const { user } = await createUser(t, adminToken, Role.Officer);
    expect((await t.patch(`/api/users/${user.id}`, { role: 'supervisor', name: 'Renamed Person' }, adminToken)).status).toBe(200);
    expect((await t.patch(`/api/users/${user.id}`, { active: false }, adminToken)).status).toBe(200);
    // A change to the same values changes nothing, so it records nothing.
    expect((await t.patch(`/api/users/${user.id}`, { active: false }, adminToken)).status).toBe(200);
    const events = await eventsAbout('user', user.id);
    expect(events.map((event) => [event.action, event.sections])).toEqual([
      ['user.create', null],
      ['user.update', ['name', 'role']],
      ['user.update', ['active']],
    ]);
    expect(events.every((event) => event.actor_user_id === adminId && event.actor_organisation_id === organisation.id)).toBe(true);
  });

  it('audits webhook.create and webhook.delete', async () => {
    const { organisation, adminToken } = await createOrganisation(t);
    const created = await t.post<{ id: string }>(
      `/api/organisations/${organisation.id}/webhooks`,
      { url: `http://127.0.0.1:9/${uniqueName('hook')}`, events: [DomainEventType.CaseClosed] },
      adminToken,
    );
    expect(created.status).toBe(201);
    expect((await t.request('DELETE', `/api/organisations/${organisation.id}/webhooks/${created.body.id}`, { token: adminToken })).status).toBe(204);
    expect((await t.request('DELETE', `/api/organisations/${organisation.id}/webhooks/${created.body.id}`, { token: adminToken })).status).toBe(204);
    expect((await eventsAbout('webhook', created.body.id)).map((event) => event.action)).toEqual(['webhook.create', 'webhook.delete']);
  });

  it('lets the organisation’s supervisor find these events through the audit API', async () => {
    const { organisation, adminToken } = await createOrganisation(t);
    const { user } = await createUser(t, adminToken, Role.Officer);
    const supervisor = await createUser(t, adminToken, Role.Supervisor);
    const token = await t.login(supervisor.email, FACTORY_PASSWORD);
    const listed = await t.get<{ items: Array<{ action: string; justification?: string | null }> }>(
      `/api/audit/events?organisationId=${organisation.id}&action=user.create`,
      token,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item) => item.justification)).toEqual(expect.arrayContaining([`user:${user.id}`]));
  });
});
