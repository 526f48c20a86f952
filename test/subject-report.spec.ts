import { execFile } from 'node:child_process';
import { TestApp } from './support/app';
import { addParticipation, caseBody, createCase, type CreatedCase, userId } from './support/factories';
import { expectProblem } from './support/problem';

/** The PDF's text as a reader's tool extracts it (poppler's pdftotext; .ci/run installs poppler-utils). */
function pdfText(pdf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('pdftotext', ['-enc', 'UTF-8', '-', '-'], { encoding: 'utf8', maxBuffer: 10_000_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin!.end(pdf);
  });
}

describe("the victim's subject report", () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const token = async (email: string): Promise<string> => (tokens[email] ??= await t.login(email));
  let created: CreatedCase;
  let readerName: string;
  const fullName = `Ștefania Mărginean <i>${Date.now()}</i>`;

  beforeAll(async () => {
    t = await TestApp.start();
    created = await createCase(
      t,
      await token('officer@be-police.test'),
      caseBody({ summary: { languages: ['ro', 'nl'] }, identity: { fullName, nationality: 'RO' } }),
    );
    // A read by another, named, user of the lead organisation: the report must list it.
    expect((await t.get(`/api/cases/${created.id}`, await token('officer2@be-police.test'))).status).toBe(200);
    const rows: Array<{ name: string }> = await t.dataSource.query(`SELECT name FROM "user" WHERE id = $1`, [
      await userId(t.dataSource, 'officer2@be-police.test'),
    ]);
    readerName = rows[0]!.name;
  });

  afterAll(async () => {
    await t?.close();
  });

  it("answers HTML in the victim's language with the data held and who read the file", async () => {
    const response = await t.get(`/api/cases/${created.id}/subject-report`, await token('officer@be-police.test'));
    expect(response.status).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.text).toContain('<html lang="nl">');
    expect(response.text).toContain(fullName.replace('<i>', '&lt;i&gt;').replace('</i>', '&lt;/i&gt;'));
    expect(response.text).not.toContain('<i>');
    expect(response.text).toContain(readerName);
    expect(response.text).toContain('las het dossier');
    expect(response.text).not.toMatch(/<title>[^<]*Ștefania/);
  });

  it('answers a PDF whose text names the victim and the user who read the file', async () => {
    const response = await t.request('GET', `/api/cases/${created.id}/subject-report?language=en`, {
      token: await token('officer@be-police.test'),
      headers: { accept: 'application/pdf' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const pdf = Buffer.from(response.text, 'latin1');
    const raw = (
      await t.app.inject({
        method: 'GET',
        url: `/api/cases/${created.id}/subject-report?language=en`,
        headers: { accept: 'application/pdf', authorization: `Bearer ${await token('officer@be-police.test')}` },
      })
    ).rawPayload;
    expect(raw.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(0);
    const text = await pdfText(raw);
    expect(text).toContain('Ștefania Mărginean');
    expect(text).toContain(readerName);
    expect(text).toMatch(/read the file/);
    expect(text).toContain('Who has seen or changed your file');
  });

  it('is refused to supervisors, to other participants and to those who cannot see the case', async () => {
    expectProblem(await t.get(`/api/cases/${created.id}/subject-report`, await token('supervisor@be-police.test')), 403);
    await addParticipation(t.dataSource, created.id, 'be-prosecution', 'prosecution');
    expectProblem(await t.get(`/api/cases/${created.id}/subject-report`, await token('prosecutor@be-prosecution.test')), 403);
    expectProblem(await t.get(`/api/cases/${created.id}/subject-report`, await token('officer@nl-police.test')), 404);
    expectProblem(await t.get(`/api/cases/not-a-case/subject-report`, await token('officer@be-police.test')), 404);
    expectProblem(await t.get(`/api/cases/${created.id}/subject-report?language=ro`, await token('officer@be-police.test')), 400);
  });

  it('audits every request as case.subject_report, with the sections handed over', async () => {
    const events: Array<{ outcome: string; sections: string[] | null; legal_basis: string | null }> = await t.dataSource.query(
      `SELECT outcome, sections, legal_basis FROM audit_event WHERE case_id = $1 AND action = 'case.subject_report' ORDER BY seq`,
      [created.id],
    );
    expect(events.filter((e) => e.outcome === 'allowed')).toHaveLength(3);
    expect(events[0]).toMatchObject({ outcome: 'allowed', legal_basis: 'lead' });
    expect(events[0]!.sections).toEqual(expect.arrayContaining(['summary', 'identity', 'investigation']));
    expect(events.filter((e) => e.outcome === 'denied')).toHaveLength(2);
  });
});
