import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DomainEventType } from '../src/outbox/domain-event';
import { count, dataSourceOf, Demo, NotificationsStack, waitFor } from './notifications.support';

interface Received {
  from: string;
  to: string[];
  message: string;
}

/**
 * The SMTP path (SMTP_URL set), against an SMTP server this spec starts on loopback: one
 * message per recipient, to the user's address, carrying the notification id and no identity.
 */
describe('notifications: e-mail over SMTP', () => {
  const received: Received[] = [];
  let server: SMTPServer;
  let stack: NotificationsStack;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((address) => address.address),
            message: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    stack = await NotificationsStack.create('smtp', { SMTP_URL: `smtp://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await stack.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends one message per recipient through the SMTP server, recorded once, with no identity data and no .eml file', async () => {
    const worker = await stack.startWorker();
    const db = dataSourceOf(worker);
    const demo = new Demo(db);
    const kase = await demo.createCase('NL');
    await demo.emit({ type: DomainEventType.ConsentWithdrawn, caseId: kase.id, organisationIds: [kase.leadOrganisationId] });
    const rows = await waitFor('two recorded e-mails', async () => {
      const found: Array<{ id: string; email: string }> = await db.query(
        `SELECT n.id, u.email FROM notification n JOIN "user" u ON u.id = n.user_id JOIN notification_email e ON e.notification_id = n.id
          WHERE n.case_id = $1 ORDER BY u.email`,
        [kase.id],
      );
      return found.length === 2 && received.length >= 2 && found;
    });
    expect(rows.map((row) => row.email)).toEqual(['officer2@nl-police.test', 'officer@nl-police.test']);
    expect(received.map((mail) => mail.to).sort()).toEqual([['officer2@nl-police.test'], ['officer@nl-police.test']]);
    for (const row of rows) {
      const mail = received.find((candidate) => candidate.to.includes(row.email))!;
      expect(mail.from).toBe('no-reply@passage.invalid');
      expect(mail.message).toMatch(new RegExp(`^X-Passage-Notification-Id: ${row.id}`, 'mi'));
      expect(mail.message).toContain(kase.reference);
    }
    const names: Array<{ name: string }> = await db.query(`SELECT name FROM "user" WHERE email = ANY($1)`, [rows.map((row) => row.email)]);
    for (const { name } of names) for (const mail of received) expect(mail.message).not.toContain(name);
    expect(await count(db, `SELECT 1 FROM notification_email WHERE notification_id = ANY($1::uuid[])`, [rows.map((row) => row.id)])).toBe(2);
    expect(stack.emailFiles()).toEqual([]);
  });
});
