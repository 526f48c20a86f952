import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Referrals1764400000300 implements MigrationInterface {
  name = 'Referrals1764400000300';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE referral (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case"(id),
        from_organisation_id uuid NOT NULL REFERENCES organisation(id),
        to_organisation_id uuid NOT NULL REFERENCES organisation(id),
        purpose text NOT NULL CHECK (purpose IN ('shelter','prosecution','investigation','labour_inspection','residence')),
        urgency text NOT NULL CHECK (urgency IN ('urgent','routine')),
        -- The referral message may describe the victim: sealed like a sensitive section.
        message_key_id text,
        message_ciphertext bytea,
        consent_id uuid REFERENCES consent(id),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','accepted','declined','withdrawn','expired')),
        respond_by timestamptz NOT NULL,
        decline_reason text CHECK (length(decline_reason) <= 1000),
        created_by uuid NOT NULL REFERENCES "user"(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        answered_at timestamptz,
        answered_by uuid REFERENCES "user"(id),
        CONSTRAINT referral_not_to_self CHECK (from_organisation_id <> to_organisation_id),
        CONSTRAINT referral_message_sealed CHECK ((message_key_id IS NULL) = (message_ciphertext IS NULL)),
        CONSTRAINT referral_decline_reason CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
      )`);
    // One pending referral per case and target at a time, enforced by the database under concurrency.
    await db.query(`CREATE UNIQUE INDEX referral_one_pending_uq ON referral (case_id, to_organisation_id) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX referral_incoming_idx ON referral (to_organisation_id, status, created_at DESC)`);
    await db.query(`CREATE INDEX referral_outgoing_idx ON referral (from_organisation_id, status, created_at DESC)`);
    await db.query(`CREATE INDEX referral_case_idx ON referral (case_id)`);
    await db.query(`ALTER TABLE participation ADD CONSTRAINT participation_referral_fk FOREIGN KEY (referral_id) REFERENCES referral(id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE participation DROP CONSTRAINT participation_referral_fk`);
    await db.query(`DROP TABLE referral`);
  }
}
