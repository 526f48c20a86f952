import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UserInvitations1765300000000 implements MigrationInterface {
  name = 'UserInvitations1765300000000';

  async up(db: QueryRunner): Promise<void> {
    // A set-password invitation (issue 11). The token itself is never stored: `token_hash` is its
    // SHA-256, and `token_nonce` (with a server key) lets the worker derive it once to e-mail it;
    // the nonce is cleared as soon as the e-mail has gone out.
    await db.query(`
      CREATE TABLE user_invitation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES "user"(id),
        token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
        token_nonce bytea CHECK (length(token_nonce) = 32),
        created_by uuid NOT NULL REFERENCES "user"(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        emailed_at timestamptz,
        used_at timestamptz,
        revoked_at timestamptz,
        CHECK (expires_at > created_at)
      )`);
    await db.query(`CREATE INDEX user_invitation_user_idx ON user_invitation (user_id) WHERE used_at IS NULL AND revoked_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE user_invitation`);
  }
}
