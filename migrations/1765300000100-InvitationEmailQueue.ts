import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InvitationEmailQueue1765300000100 implements MigrationInterface {
  name = 'InvitationEmailQueue1765300000100';

  async up(db: QueryRunner): Promise<void> {
    // The invitation e-mail is queued by the worker from this table, like a deadline: the API
    // never waits on Redis, and an invitation saved while Redis was down is e-mailed once it is back.
    // `email_queued_at` says the worker has given the invitation its job; a pending e-mail is one
    // whose nonce is still there.
    await db.query(`ALTER TABLE user_invitation ADD COLUMN email_queued_at timestamptz`);
    await db.query(
      `CREATE INDEX user_invitation_email_pending_idx ON user_invitation (created_at) WHERE token_nonce IS NOT NULL AND used_at IS NULL AND revoked_at IS NULL`,
    );
    // Wakes the worker's invitation scheduler at commit time, so the e-mail goes out at once.
    await db.query(`
      CREATE FUNCTION user_invitation_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('passage_invitation', '');
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER user_invitation_notify AFTER INSERT ON user_invitation FOR EACH STATEMENT EXECUTE FUNCTION user_invitation_notify()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER user_invitation_notify ON user_invitation`);
    await db.query(`DROP FUNCTION user_invitation_notify()`);
    await db.query(`DROP INDEX user_invitation_email_pending_idx`);
    await db.query(`ALTER TABLE user_invitation DROP COLUMN email_queued_at`);
  }
}
