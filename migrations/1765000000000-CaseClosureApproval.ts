import type { MigrationInterface, QueryRunner } from 'typeorm';

const CLOSE_REASONS = `'referred_elsewhere','returned_home','permit_granted','not_a_victim','lost_contact','other'`;
const OLD_KINDS = `'referral.reminder','referral.expiry','reflection_period.reminder_14d','reflection_period.reminder_3d','reflection_period.end','break_glass.review','task.due'`;

export class CaseClosureApproval1765000000000 implements MigrationInterface {
  name = 'CaseClosureApproval1765000000000';

  async up(db: QueryRunner): Promise<void> {
    // A closing that waits for the prosecution's approval; one pending request per case. The
    // rejection reason is free text about the case, so it is sealed like notes.
    await db.query(`
      CREATE TABLE case_closure (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case"(id),
        reason text NOT NULL CHECK (reason IN (${CLOSE_REASONS})),
        requested_by uuid NOT NULL REFERENCES "user"(id),
        requested_by_organisation_id uuid NOT NULL REFERENCES organisation(id),
        requested_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected','withdrawn')),
        decided_by uuid REFERENCES "user"(id),
        decided_by_organisation_id uuid REFERENCES organisation(id),
        decided_at timestamptz,
        rejection_key_id text,
        rejection_ciphertext bytea,
        CONSTRAINT case_closure_decided CHECK ((status = 'pending') = (decided_at IS NULL AND decided_by IS NULL)),
        CONSTRAINT case_closure_rejection CHECK ((status = 'rejected') = (rejection_ciphertext IS NOT NULL)),
        CONSTRAINT case_closure_rejection_sealed CHECK ((rejection_key_id IS NULL) = (rejection_ciphertext IS NULL))
      )`);
    await db.query(`CREATE UNIQUE INDEX case_closure_pending_uq ON case_closure (case_id) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX case_closure_case_idx ON case_closure (case_id, requested_at DESC, id DESC)`);
    await db.query(`CREATE INDEX case_closure_key_idx ON case_closure (rejection_key_id) WHERE rejection_key_id IS NOT NULL`);

    // Reopening a closed case by its lead organisation, with its (sealed) reason.
    await db.query(`
      CREATE TABLE case_reopening (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case"(id),
        reopened_by uuid NOT NULL REFERENCES "user"(id),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        reopened_at timestamptz NOT NULL DEFAULT now(),
        key_id text NOT NULL,
        ciphertext bytea NOT NULL
      )`);
    await db.query(`CREATE INDEX case_reopening_case_idx ON case_reopening (case_id, reopened_at DESC, id DESC)`);
    await db.query(`CREATE INDEX case_reopening_key_idx ON case_reopening (key_id)`);

    // Who reported the withdrawal of consent, and how (the note is sealed).
    await db.query(`ALTER TABLE consent ADD COLUMN withdrawal_reported_by text CHECK (withdrawal_reported_by IN ('victim','guardian'))`);
    await db.query(`ALTER TABLE consent ADD COLUMN withdrawal_note_key_id text`);
    await db.query(`ALTER TABLE consent ADD COLUMN withdrawal_note_ciphertext bytea`);
    await db.query(
      `ALTER TABLE consent ADD CONSTRAINT consent_withdrawal_sealed CHECK ((withdrawal_note_key_id IS NULL) = (withdrawal_note_ciphertext IS NULL))`,
    );
    await db.query(
      `ALTER TABLE consent ADD CONSTRAINT consent_withdrawal_details CHECK (withdrawn_at IS NOT NULL OR (withdrawal_reported_by IS NULL AND withdrawal_note_ciphertext IS NULL))`,
    );
    await db.query(`CREATE INDEX consent_withdrawal_key_idx ON consent (withdrawal_note_key_id) WHERE withdrawal_note_key_id IS NOT NULL`);

    // The prosecution is reminded of a closing that still waits for its approval; the subject is the case.
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_kind_check`);
    await db.query(`ALTER TABLE deadline ADD CONSTRAINT deadline_kind_check CHECK (kind IN (${OLD_KINDS},'case.closure_approval'))`);
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_subject_for_kind`);
    await db.query(`
      ALTER TABLE deadline ADD CONSTRAINT deadline_subject_for_kind CHECK (
        (kind LIKE 'referral.%' AND referral_id IS NOT NULL AND break_glass_id IS NULL AND task_id IS NULL)
        OR ((kind LIKE 'reflection_period.%' OR kind LIKE 'case.%') AND referral_id IS NULL AND break_glass_id IS NULL AND task_id IS NULL)
        OR (kind LIKE 'break_glass.%' AND break_glass_id IS NOT NULL AND referral_id IS NULL AND task_id IS NULL)
        OR (kind LIKE 'task.%' AND task_id IS NOT NULL AND referral_id IS NULL AND break_glass_id IS NULL))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM deadline WHERE kind LIKE 'case.%'`);
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_subject_for_kind`);
    await db.query(`
      ALTER TABLE deadline ADD CONSTRAINT deadline_subject_for_kind CHECK (
        (kind LIKE 'referral.%' AND referral_id IS NOT NULL AND break_glass_id IS NULL AND task_id IS NULL)
        OR (kind LIKE 'reflection_period.%' AND referral_id IS NULL AND break_glass_id IS NULL AND task_id IS NULL)
        OR (kind LIKE 'break_glass.%' AND break_glass_id IS NOT NULL AND referral_id IS NULL AND task_id IS NULL)
        OR (kind LIKE 'task.%' AND task_id IS NOT NULL AND referral_id IS NULL AND break_glass_id IS NULL))`);
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_kind_check`);
    await db.query(`ALTER TABLE deadline ADD CONSTRAINT deadline_kind_check CHECK (kind IN (${OLD_KINDS}))`);
    await db.query(
      `ALTER TABLE consent DROP CONSTRAINT consent_withdrawal_details, DROP CONSTRAINT consent_withdrawal_sealed, DROP COLUMN withdrawal_note_ciphertext, DROP COLUMN withdrawal_note_key_id, DROP COLUMN withdrawal_reported_by`,
    );
    await db.query(`DROP TABLE case_reopening, case_closure`);
  }
}
