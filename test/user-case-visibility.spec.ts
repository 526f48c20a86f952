import { UserCaseVisibility } from '../src/access/user-case-visibility';
import { TestApp } from './support/app';
import { addParticipation, createCase, userId } from './support/factories';

/** Notification recipients are chosen by the API's own rules: who may read the case right now. */
describe('UserCaseVisibility', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('keeps exactly the users who may read the case now', async () => {
    const officer = await t.login('officer@be-police.test');
    const created = await createCase(t, officer);
    const emails = [
      'officer@be-police.test',
      'officer2@be-police.test',
      'officer@nl-police.test',
      'caseworker@be-shelter-brussels.test',
      'supervisor@be-police.test',
    ];
    const ids = Object.fromEntries(await Promise.all(emails.map(async (email) => [email, await userId(t.dataSource, email)] as const)));
    const visibility = t.app.get(UserCaseVisibility);
    const names = async () => {
      const visible = await visibility.visibleTo(Object.values(ids), created.id);
      return emails.filter((email) => visible.has(ids[email]!));
    };

    expect(await names()).toEqual(['officer@be-police.test', 'officer2@be-police.test']);
    const participation = await addParticipation(t.dataSource, created.id, 'be-shelter-brussels', 'shelter', { legalBasis: 'consent' });
    expect(await names()).toEqual(['officer@be-police.test', 'officer2@be-police.test', 'caseworker@be-shelter-brussels.test']);
    await t.dataSource.query(`UPDATE participation SET revoked_at = now(), revoked_reason = 'consent_withdrawn' WHERE id = $1`, [participation]);
    expect(await names()).toEqual(['officer@be-police.test', 'officer2@be-police.test']);
    await t.dataSource.query(`UPDATE "user" SET active = false WHERE id = $1`, [ids['officer2@be-police.test']]);
    expect(await names()).toEqual(['officer@be-police.test']);
    await t.dataSource.query(`UPDATE "user" SET active = true WHERE id = $1`, [ids['officer2@be-police.test']]);
    expect(await visibility.visibleTo(Object.values(ids), '6f1c1f55-3f0e-4d8e-9a55-6f3a6d1b2c11')).toEqual(new Set());
  });
});
