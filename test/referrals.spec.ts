import { TestApp } from './support/app';
import { caseBody, createCase, organisationId } from './support/factories';

const consent = (by: 'victim' | 'guardian' = 'victim') => ({ given: true, by, recordedAt: new Date(Date.now() - 60_000).toISOString() });

interface Referral {
  id: string;
  status: string;
  fromOrganisationId: string;
  toOrganisationId: string;
  from: { id: string; name: string };
  to: { id: string; name: string };
  respondBy: string;
  brief?: { summary: Record<string, unknown>; message: string | null };
}

describe('referrals', () => {
  let t: TestApp;
  let officer: string;
  let caseworker: string;
  let prosecutor: string;
  let nlOfficer: string;
  const org: Record<string, string> = {};

  beforeAll(async () => {
    t = await TestApp.start();
    officer = await t.login('officer@be-police.test');
    caseworker = await t.login('caseworker@be-shelter-brussels.test');
    prosecutor = await t.login('prosecutor@be-prosecution.test');
    nlOfficer = await t.login('officer@nl-police.test');
    for (const slug of [
      'be-shelter-brussels',
      'be-shelter-antwerp',
      'be-prosecution',
      'nl-police',
      'be-migration',
      'be-labour',
      'nl-shelter-amsterdam',
      'be-police',
    ]) {
      org[slug] = await organisationId(t.dataSource, slug);
    }
  });
  afterAll(() => t.close());

  const beds = async (slug: string): Promise<number> =>
    ((await t.dataSource.query(`SELECT beds_available FROM organisation WHERE slug = $1`, [slug])) as Array<{ beds_available: number }>)[0]!.beds_available;
  const refer = (caseId: string, body: Record<string, unknown>, token = officer) =>
    t.post<Referral & { errors?: unknown }>(`/api/cases/${caseId}/referrals`, body, token);

  it('walks the journeys: police → shelter → prosecutor, cross-border police on the treaty, consent withdrawn', async () => {
    const created = await createCase(t, officer, caseBody({ identity: { fullName: 'Journey Person' } }));

    // The shelter sees a brief of the incoming referral, never identity.
    const toShelter = await refer(created.id, {
      toOrganisationId: org['be-shelter-brussels'],
      purpose: 'shelter',
      urgency: 'urgent',
      message: 'Needs a bed tonight',
      consent: consent(),
    });
    expect(toShelter.status).toBe(201);
    expect(toShelter.body.status).toBe('pending');
    const hours = (new Date(toShelter.body.respondBy).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(3.9);
    expect(hours).toBeLessThanOrEqual(4);
    expect((await t.get(`/api/cases/${created.id}`, caseworker)).status).toBe(404);
    const incoming = await t.get<{ items: Referral[] }>('/api/referrals?direction=incoming&status=pending', caseworker);
    const item = incoming.body.items.find((r) => r.id === toShelter.body.id)!;
    expect(item.brief!.message).toBe('Needs a bed tonight');
    expect(item.brief!.summary.exploitationTypes).toEqual(['labour']);
    expect(JSON.stringify(incoming.body)).not.toContain('Journey Person');
    // The brief read is on the case's audit trail, with the shelter as its reader.
    const briefReads: Array<{ actor_organisation_id: string; sections: string[] }> = await t.dataSource.query(
      `SELECT actor_organisation_id, sections FROM audit_event WHERE action = 'referral.read' AND case_id = $1`,
      [created.id],
    );
    expect(briefReads).toContainEqual({ actor_organisation_id: org['be-shelter-brussels'], sections: ['summary'] });

    const bedsBefore = await beds('be-shelter-brussels');
    const accepted = await t.post<Referral>(`/api/referrals/${toShelter.body.id}/accept`, {}, caseworker);
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('accepted');
    expect(await beds('be-shelter-brussels')).toBe(bedsBefore - 1);
    const shelterView = await t.get<Record<string, { fullName?: string; version: number }>>(`/api/cases/${created.id}`, caseworker);
    expect(shelterView.body.identity!.fullName).toBe('Journey Person');
    expect(shelterView.body.investigation).toBeUndefined();
    expect((await t.patch(`/api/cases/${created.id}/sections/care`, { version: 1, data: { placement: 'Brussels, room 4' } }, caseworker)).status).toBe(200);
    expect((await t.patch(`/api/cases/${created.id}/sections/investigation`, { version: 1, data: { handlingCode: 'H3' } }, caseworker)).status).toBe(403);

    // The prosecutor reads identity and investigation, never care.
    const toProsecution = await refer(created.id, { toOrganisationId: org['be-prosecution'], purpose: 'prosecution', urgency: 'routine' });
    expect(toProsecution.status).toBe(201);
    expect((await t.post(`/api/referrals/${toProsecution.body.id}/accept`, {}, prosecutor)).status).toBe(200);
    const prosecutorView = await t.get<Record<string, unknown>>(`/api/cases/${created.id}`, prosecutor);
    expect(prosecutorView.body.identity).toBeDefined();
    expect(prosecutorView.body.investigation).toBeDefined();
    expect(prosecutorView.body.care).toBeUndefined();
    expect((await t.patch(`/api/cases/${created.id}/sections/investigation`, { version: 1, data: { evidenceRefs: ['EV-1'] } }, prosecutor)).status).toBe(200);

    // Dutch police see nothing until a cross-border referral is accepted, then on the treaty.
    expect((await t.get(`/api/cases/${created.id}`, nlOfficer)).status).toBe(404);
    const toNl = await refer(created.id, { toOrganisationId: org['nl-police'], purpose: 'investigation', urgency: 'routine' });
    expect(toNl.status).toBe(201);
    expect((await t.get(`/api/cases/${created.id}`, nlOfficer)).status).toBe(404);
    expect((await t.post(`/api/referrals/${toNl.body.id}/accept`, {}, nlOfficer)).status).toBe(200);
    expect((await t.get(`/api/cases/${created.id}`, nlOfficer)).status).toBe(200);
    const why = await t.get<{ grants: Array<{ legalBasis: string; purpose: string }> }>(`/api/cases/${created.id}/access`, nlOfficer);
    expect(why.body.grants).toEqual([expect.objectContaining({ purpose: 'investigation', legalBasis: 'treaty' })]);

    // Withdrawing consent removes the shelter's access at once and frees its bed.
    const withdrawn = await t.post<{ revokedParticipations: number }>(
      `/api/cases/${created.id}/consent/withdraw`,
      { organisationId: org['be-shelter-brussels'], reportedBy: 'victim', note: 'Told the officer on the phone' },
      officer,
    );
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.revokedParticipations).toBe(1);
    expect((await t.get(`/api/cases/${created.id}`, caseworker)).status).toBe(404);
    expect(await beds('be-shelter-brussels')).toBe(bedsBefore);
    expect((await t.get(`/api/cases/${created.id}`, prosecutor)).status).toBe(200);
    expect(
      (await t.post(`/api/cases/${created.id}/consent/withdraw`, { organisationId: org['be-shelter-brussels'], reportedBy: 'victim', note: 'again' }, officer))
        .status,
    ).toBe(409);

    const events: Array<{ type: string }> = await t.dataSource.query(`SELECT type FROM outbox_event WHERE case_id = $1 ORDER BY id`, [created.id]);
    expect(events.map((e) => e.type)).toEqual([
      'referral.received',
      'referral.accepted',
      'referral.received',
      'referral.accepted',
      'referral.received',
      'referral.accepted',
      'consent.withdrawn',
    ]);
    const payloads: Array<{ row: string }> = await t.dataSource.query(`SELECT row_to_json(o)::text AS row FROM outbox_event o WHERE case_id = $1`, [
      created.id,
    ]);
    for (const payload of payloads) expect(payload.row).not.toContain('Journey');
  });

  it('names the referring and the receiving organisation next to their ids (readable context), in every answer', async () => {
    const created = await createCase(t, officer, caseBody());
    const police = { id: org['be-police'], slug: 'be-police', type: 'police', country: 'BE', name: expect.any(String) };
    const shelter = { id: org['be-shelter-brussels'], slug: 'be-shelter-brussels', type: 'reception_centre', country: 'BE', name: expect.any(String) };
    const sent = await refer(created.id, { toOrganisationId: org['be-shelter-brussels'], purpose: 'shelter', urgency: 'routine', consent: consent() });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ fromOrganisationId: police.id, from: police, toOrganisationId: shelter.id, to: shelter });
    const names: Array<{ slug: string; name: string }> = await t.dataSource.query(`SELECT slug, name FROM organisation WHERE id = ANY($1::uuid[])`, [
      [police.id, shelter.id],
    ]);
    expect(sent.body.from.name).toBe(names.find((row) => row.slug === 'be-police')!.name);
    const incoming = await t.get<{ items: Referral[] }>('/api/referrals?direction=incoming&status=pending', caseworker);
    expect(incoming.body.items.find((r) => r.id === sent.body.id)).toMatchObject({ from: police, to: shelter });
    const outgoing = await t.get<{ items: Referral[] }>('/api/referrals?direction=outgoing', officer);
    expect(outgoing.body.items.every((r) => r.from.id === r.fromOrganisationId && r.to.id === r.toOrganisationId)).toBe(true);
    const withdrawn = await t.post<Referral>(`/api/referrals/${sent.body.id}/withdraw`, {}, officer);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', from: police, to: shelter });
  });

  it('refuses what the rules refuse, each with its status', async () => {
    const created = await createCase(t, officer);
    const wrongPurpose = await refer(created.id, { toOrganisationId: org['be-prosecution'], purpose: 'shelter', urgency: 'routine', consent: consent() });
    expect([wrongPurpose.status, (wrongPurpose.body as unknown as { type: string }).type]).toEqual([422, '/problems/purpose-mismatch']);
    const noConsent = await refer(created.id, { toOrganisationId: org['be-migration'], purpose: 'residence', urgency: 'routine' });
    expect([noConsent.status, (noConsent.body as unknown as { type: string }).type]).toEqual([422, '/problems/consent-required']);
    const refusedConsent = await refer(created.id, {
      toOrganisationId: org['be-migration'],
      purpose: 'residence',
      urgency: 'routine',
      consent: { ...consent(), given: false },
    });
    expect(refusedConsent.status).toBe(400);
    const crossBorderShelter = await refer(created.id, { toOrganisationId: org['nl-shelter-amsterdam'], purpose: 'shelter', urgency: 'routine' });
    expect(crossBorderShelter.status).toBe(422);
    const first = await refer(created.id, { toOrganisationId: org['be-labour'], purpose: 'labour_inspection', urgency: 'routine', consent: consent() });
    expect(first.status).toBe(201);
    const duplicate = await refer(created.id, { toOrganisationId: org['be-labour'], purpose: 'labour_inspection', urgency: 'routine', consent: consent() });
    expect([duplicate.status, (duplicate.body as unknown as { type: string }).type]).toEqual([409, '/problems/duplicate-referral']);
    const toSelf = await refer(created.id, { toOrganisationId: org['be-police'], purpose: 'investigation', urgency: 'routine' });
    expect(toSelf.status).toBe(422);
    const unknownField = await refer(created.id, { toOrganisationId: org['be-labour'], purpose: 'labour_inspection', urgency: 'routine', status: 'accepted' });
    expect(unknownField.status).toBe(400);

    // Wrong organisation: the referrer may see the referral but not answer it; a stranger may not know it exists.
    const inspector = await t.login('inspector@be-labour.test');
    expect((await t.post(`/api/referrals/${first.body.id}/accept`, {}, officer)).status).toBe(403);
    expect((await t.post(`/api/referrals/${first.body.id}/accept`, {}, caseworker)).status).toBe(404);
    expect((await t.post(`/api/referrals/${first.body.id}/withdraw`, {}, inspector)).status).toBe(403);
    const supervisor = await t.login('supervisor@be-labour.test');
    expect((await t.post(`/api/referrals/${first.body.id}/accept`, {}, supervisor)).status).toBe(403);
    expect((await t.get('/api/referrals?direction=incoming', supervisor)).status).toBe(403);

    // Wrong state: answered once.
    expect((await t.post(`/api/referrals/${first.body.id}/decline`, { reason: 'No capacity this week' }, inspector)).status).toBe(200);
    expect((await t.post(`/api/referrals/${first.body.id}/accept`, {}, inspector)).status).toBe(409);
    expect((await t.post(`/api/referrals/${first.body.id}/withdraw`, {}, officer)).status).toBe(409);
    expect((await t.post(`/api/referrals/${first.body.id}/decline`, {}, inspector)).status).toBe(400);

    // Expired: past respondBy it can no longer be accepted.
    const late = await refer(created.id, { toOrganisationId: org['be-prosecution'], purpose: 'prosecution', urgency: 'urgent' });
    await t.dataSource.query(`UPDATE referral SET respond_by = now() - interval '1 minute' WHERE id = $1`, [late.body.id]);
    const expired = await t.post<{ type: string }>(`/api/referrals/${late.body.id}/accept`, {}, prosecutor);
    expect([expired.status, expired.body.type]).toEqual([409, '/problems/referral-expired']);

    // Withdrawn by the referrer: the target can no longer accept.
    const withdrawnReferral = await refer(created.id, { toOrganisationId: org['nl-police'], purpose: 'investigation', urgency: 'routine' });
    expect((await t.post(`/api/referrals/${withdrawnReferral.body.id}/withdraw`, {}, officer)).status).toBe(200);
    expect((await t.post(`/api/referrals/${withdrawnReferral.body.id}/accept`, {}, nlOfficer)).status).toBe(409);
  });

  it('takes a minor only at a centre that accepts minors, on the guardian’s consent', async () => {
    const minor = await createCase(t, officer, caseBody({ summary: { minor: true, ageGroup: '12-17' } }));
    const byVictim = await refer(minor.id, { toOrganisationId: org['be-shelter-antwerp'], purpose: 'shelter', urgency: 'urgent', consent: consent('victim') });
    expect([byVictim.status, (byVictim.body as unknown as { type: string }).type]).toEqual([422, '/problems/guardian-consent-required']);
    // Refused when referred, not only when the centre answers.
    const adultsOnly = await refer(minor.id, {
      toOrganisationId: org['be-shelter-antwerp'],
      purpose: 'shelter',
      urgency: 'urgent',
      consent: consent('guardian'),
    });
    expect([adultsOnly.status, (adultsOnly.body as unknown as { type: string }).type]).toEqual([422, '/problems/minors-not-accepted']);
    const takesMinors = await refer(minor.id, {
      toOrganisationId: org['be-shelter-brussels'],
      purpose: 'shelter',
      urgency: 'urgent',
      consent: consent('guardian'),
    });
    expect(takesMinors.status).toBe(201);

    // Found to be a minor after the referral to an adults-only centre: the centre still cannot accept.
    const adult = await createCase(t, officer);
    const pending = await refer(adult.id, { toOrganisationId: org['be-shelter-antwerp'], purpose: 'shelter', urgency: 'urgent', consent: consent() });
    expect(pending.status).toBe(201);
    expect((await t.patch(`/api/cases/${adult.id}/sections/summary`, { version: 1, data: { minor: true, ageGroup: '12-17' } }, officer)).status).toBe(200);
    const antwerp = await t.login('caseworker@be-shelter-antwerp.test');
    const refused = await t.post<{ type: string }>(`/api/referrals/${pending.body.id}/accept`, {}, antwerp);
    expect([refused.status, refused.body.type]).toEqual([422, '/problems/minors-not-accepted']);
  });

  it('re-marks a placed adult as a minor at an adults-only centre only with acknowledgeRelocation, telling the centre and the lead', async () => {
    const antwerp = await t.login('caseworker@be-shelter-antwerp.test');
    const created = await createCase(t, officer);
    const referral = await refer(created.id, { toOrganisationId: org['be-shelter-antwerp'], purpose: 'shelter', urgency: 'urgent', consent: consent() });
    expect((await t.post(`/api/referrals/${referral.body.id}/accept`, {}, antwerp)).status).toBe(200);
    const minor = { version: 1, data: { minor: true, ageGroup: '12-17' } };
    const refused = await t.patch<{ type: string }>(`/api/cases/${created.id}/sections/summary`, minor, officer);
    expect([refused.status, refused.body.type]).toEqual([422, '/problems/minor-at-adult-centre']);
    expect((await t.patch(`/api/cases/${created.id}/sections/summary`, { ...minor, acknowledgeRelocation: 'yes' }, officer)).status).toBe(400);
    const acknowledged = await t.patch<{ minor: boolean; version: number }>(
      `/api/cases/${created.id}/sections/summary`,
      { ...minor, acknowledgeRelocation: true },
      officer,
    );
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ minor: true, version: 2 });
    const events: Array<{ organisation_ids: string[] }> = await t.dataSource.query(
      `SELECT organisation_ids FROM outbox_event WHERE case_id = $1 AND type = 'case.minor_at_adult_centre'`,
      [created.id],
    );
    expect(events).toHaveLength(1);
    expect([...events[0]!.organisation_ids].sort()).toEqual([org['be-shelter-antwerp'], org['be-police']].sort());
    // At a centre that takes minors, or with no placement, nothing needs acknowledging.
    const elsewhere = await createCase(t, officer);
    const toBrussels = await refer(elsewhere.id, { toOrganisationId: org['be-shelter-brussels'], purpose: 'shelter', urgency: 'urgent', consent: consent() });
    expect((await t.post(`/api/referrals/${toBrussels.body.id}/accept`, {}, caseworker)).status).toBe(200);
    expect((await t.patch(`/api/cases/${elsewhere.id}/sections/summary`, minor, officer)).status).toBe(200);
    await t.post(`/api/cases/${created.id}/close`, { reason: 'other' }, officer);
    await t.post(`/api/cases/${elsewhere.id}/close`, { reason: 'other' }, officer);
  });

  it('accepts a guardian’s consent only on a minor’s case (422)', async () => {
    const adult = await createCase(t, officer);
    const byGuardian = await refer(adult.id, {
      toOrganisationId: org['be-shelter-brussels'],
      purpose: 'shelter',
      urgency: 'routine',
      consent: consent('guardian'),
    });
    expect([byGuardian.status, (byGuardian.body as unknown as { type: string }).type]).toEqual([422, '/problems/guardian-consent-adult']);
    expect((await refer(adult.id, { toOrganisationId: org['be-shelter-brussels'], purpose: 'shelter', urgency: 'routine', consent: consent() })).status).toBe(
      201,
    );
  });

  it('gives a victim one placement at a time: a second shelter’s accept answers 409 placement-active, also when both accept at once', async () => {
    const antwerp = await t.login('caseworker@be-shelter-antwerp.test');
    const placedTwice = async () => {
      const created = await createCase(t, officer);
      const first = await refer(created.id, { toOrganisationId: org['be-shelter-antwerp'], purpose: 'shelter', urgency: 'routine', consent: consent() });
      const second = await refer(created.id, { toOrganisationId: org['be-shelter-brussels'], purpose: 'shelter', urgency: 'routine', consent: consent() });
      expect([first.status, second.status]).toEqual([201, 201]);
      return { caseId: created.id, first: first.body.id, second: second.body.id };
    };
    const bedsBefore = await beds('be-shelter-brussels');
    const one = await placedTwice();
    expect((await t.post(`/api/referrals/${one.first}/accept`, {}, antwerp)).status).toBe(200);
    const refused = await t.post<{ type: string }>(`/api/referrals/${one.second}/accept`, {}, caseworker);
    expect([refused.status, refused.body.type]).toEqual([409, '/problems/placement-active']);
    expect(await beds('be-shelter-brussels')).toBe(bedsBefore);
    // After the placement ends, the other centre may take the victim.
    expect((await t.post(`/api/cases/${one.caseId}/placement/end`, {}, antwerp)).status).toBe(200);
    expect((await t.post(`/api/referrals/${one.second}/accept`, {}, caseworker)).status).toBe(200);
    expect((await t.post(`/api/cases/${one.caseId}/placement/end`, {}, caseworker)).status).toBe(200);

    const race = await placedTwice();
    const answers = await Promise.all([
      t.post<{ type?: string }>(`/api/referrals/${race.first}/accept`, {}, antwerp),
      t.post<{ type?: string }>(`/api/referrals/${race.second}/accept`, {}, caseworker),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.type).toBe('/problems/placement-active');
    const holding: Array<{ n: number }> = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM participation WHERE case_id = $1 AND holds_bed AND revoked_at IS NULL`,
      [race.caseId],
    );
    expect(holding[0]!.n).toBe(1);
    await t.post(`/api/cases/${race.caseId}/close`, { reason: 'other' }, officer);
  });

  it('ends a placement and closes a case: both free the bed; closing withdraws pending referrals', async () => {
    const created = await createCase(t, officer);
    const bedsBefore = await beds('be-shelter-brussels');
    const referral = await refer(created.id, { toOrganisationId: org['be-shelter-brussels'], purpose: 'shelter', urgency: 'routine', consent: consent() });
    await t.post(`/api/referrals/${referral.body.id}/accept`, {}, caseworker);
    expect(await beds('be-shelter-brussels')).toBe(bedsBefore - 1);
    expect((await t.post(`/api/cases/${created.id}/placement/end`, {}, officer)).status).toBe(403);
    const ended = await t.post<{ bedsAvailable: number }>(`/api/cases/${created.id}/placement/end`, {}, caseworker);
    expect(ended.status).toBe(200);
    expect(ended.body.bedsAvailable).toBe(bedsBefore);
    expect((await t.post(`/api/cases/${created.id}/placement/end`, {}, caseworker)).status).toBe(409);

    const second = await createCase(t, officer);
    const again = await refer(second.id, { toOrganisationId: org['be-shelter-brussels'], purpose: 'shelter', urgency: 'routine', consent: consent() });
    await t.post(`/api/referrals/${again.body.id}/accept`, {}, caseworker);
    const pending = await refer(second.id, { toOrganisationId: org['be-prosecution'], purpose: 'prosecution', urgency: 'routine' });
    expect(await beds('be-shelter-brussels')).toBe(bedsBefore - 1);
    expect((await t.post(`/api/cases/${second.id}/close`, { reason: 'returned_home' }, officer)).status).toBe(200);
    expect(await beds('be-shelter-brussels')).toBe(bedsBefore);
    const status: Array<{ status: string }> = await t.dataSource.query(`SELECT status FROM referral WHERE id = $1`, [pending.body.id]);
    expect(status[0]!.status).toBe('withdrawn');
    expect((await refer(second.id, { toOrganisationId: org['nl-police'], purpose: 'investigation', urgency: 'routine' })).status).toBe(409);
  });

  it('starts the reflection period with the end date of the case’s country', async () => {
    const created = await createCase(t, officer);
    const migration = await t.login('migration-officer@be-migration.test');
    expect((await t.post(`/api/cases/${created.id}/reflection-period`, { startDate: '2026-12-01' }, migration)).status).toBe(404);
    const referral = await refer(created.id, { toOrganisationId: org['be-migration'], purpose: 'residence', urgency: 'routine', consent: consent() });
    await t.post(`/api/referrals/${referral.body.id}/accept`, {}, migration);
    expect((await t.post(`/api/cases/${created.id}/reflection-period`, { startDate: '2026-02-30' }, migration)).status).toBe(400);
    expect((await t.post(`/api/cases/${created.id}/reflection-period`, { startDate: '2026-12-01' }, officer)).status).toBe(403);
    const started = await t.post<{ reflectionPeriod: { start: string; end: string }; residenceStatus: string; version: number }>(
      `/api/cases/${created.id}/reflection-period`,
      { startDate: '2026-12-01' },
      migration,
    );
    expect(started.status).toBe(200);
    expect(started.body.reflectionPeriod).toEqual({ start: '2026-12-01', end: '2027-01-15' });
    expect(started.body.residenceStatus).toBe('reflection_period');
    expect(started.body.version).toBe(2);
    const patch = await t.patch(
      `/api/cases/${created.id}/sections/immigration`,
      { version: 2, data: { reflectionPeriod: { start: '2026-01-01', end: '2026-01-02' } } },
      migration,
    );
    expect(patch.status).toBe(400);
    const deadlines: Array<{ kind: string }> = await t.dataSource.query(
      `SELECT kind FROM deadline WHERE case_id = $1 AND cancelled_at IS NULL ORDER BY due_at`,
      [created.id],
    );
    expect(deadlines.map((d) => d.kind)).toEqual(['reflection_period.reminder_14d', 'reflection_period.reminder_3d', 'reflection_period.end']);
  });

  it('gives exactly one of 50 simultaneous accepts the last bed, 20 times in a row', async () => {
    const slug = `race-centre-${Date.now()}`;
    const centre: Array<{ id: string }> = await t.dataSource.query(
      `INSERT INTO organisation (slug, name, type, country, beds_total, beds_available, accepts_minors) VALUES ($1, 'Race Centre', 'reception_centre', 'BE', 1, 1, true) RETURNING id`,
      [slug],
    );
    const centreId = centre[0]!.id;
    const hash: Array<{ password_hash: string }> = await t.dataSource.query(
      `SELECT password_hash FROM "user" WHERE email = 'caseworker@be-shelter-brussels.test'`,
    );
    await t.dataSource.query(`INSERT INTO "user" (organisation_id, email, name, role, password_hash) VALUES ($1, $2, 'Race caseworker', 'caseworker', $3)`, [
      centreId,
      `caseworker@${slug}.test`,
      hash[0]!.password_hash,
    ]);
    const raceWorker = await t.login(`caseworker@${slug}.test`);
    const cases = await Promise.all(Array.from({ length: 50 }, () => createCase(t, officer)));
    const officerId: Array<{ id: string }> = await t.dataSource.query(`SELECT id FROM "user" WHERE email = 'officer@be-police.test'`);
    for (let round = 0; round < 20; round += 1) {
      await t.dataSource.query(
        `UPDATE participation SET revoked_at = now(), revoked_reason = 'other', holds_bed = false WHERE organisation_id = $1 AND revoked_at IS NULL`,
        [centreId],
      );
      await t.dataSource.query(`UPDATE organisation SET beds_available = 1 WHERE id = $1`, [centreId]);
      const referralIds: Array<{ id: string }> = await t.dataSource.query(
        `WITH consents AS (
           INSERT INTO consent (case_id, organisation_id, given_by, recorded_at, recorded_by)
           SELECT id, $3, 'victim', now(), $4 FROM unnest($1::uuid[]) AS id RETURNING id, case_id
         )
         INSERT INTO referral (case_id, from_organisation_id, to_organisation_id, purpose, urgency, consent_id, respond_by, created_by)
         SELECT case_id, $2, $3, 'shelter', 'urgent', id, now() + interval '4 hours', $4 FROM consents RETURNING id`,
        [cases.map((c) => c.id), org['be-police'], centreId, officerId[0]!.id],
      );
      const answers = await Promise.all(referralIds.map((r) => t.post(`/api/referrals/${r.id}/accept`, {}, raceWorker)));
      const statuses = answers.map((a) => a.status);
      expect([round, statuses.filter((s) => s === 200).length, statuses.filter((s) => s === 409).length]).toEqual([round, 1, 49]);
      expect(await beds(slug)).toBe(0);
      await t.dataSource.query(`UPDATE referral SET status = 'withdrawn' WHERE to_organisation_id = $1 AND status = 'pending'`, [centreId]);
    }
  }, 180_000);
});
