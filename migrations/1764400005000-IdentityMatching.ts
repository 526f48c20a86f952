import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdentityMatching1764400005000 implements MigrationInterface {
  name = 'IdentityMatching1764400005000';

  async up(db: QueryRunner): Promise<void> {
    // Keyed blind indexes (HMAC-SHA-256 under MATCH_INDEX_KEY) of each case's normalised identity:
    // digests only, never a name. Rewritten whenever the identity section is written; derived
    // data, so it goes with its case.
    await db.query(`
      CREATE TABLE case_identity_index (
        case_id uuid NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('name','name_dob','document')),
        key_id text NOT NULL,
        digest bytea NOT NULL CHECK (length(digest) = 32),
        PRIMARY KEY (case_id, kind, key_id, digest)
      )`);
    await db.query(`CREATE INDEX case_identity_index_digest_idx ON case_identity_index (digest)`);
    // Rotation finds the cases still indexed under an older key.
    await db.query(`CREATE INDEX case_identity_index_key_idx ON case_identity_index (key_id, case_id)`);
    // ?q= is a reference prefix: LIKE 'BE-2026-00%' needs an operator class that ignores collation.
    await db.query(`CREATE INDEX case_reference_prefix_idx ON "case" (reference text_pattern_ops)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX case_reference_prefix_idx`);
    await db.query(`DROP TABLE case_identity_index`);
  }
}
