import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditTrail1764400000100 implements MigrationInterface {
  name = 'AuditTrail1764400000100';

  async up(db: QueryRunner): Promise<void> {
    // One row: the head of the hash chain. Appending locks it, so events chain in commit order without forks.
    await db.query(`
      CREATE TABLE audit_chain_head (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash bytea NOT NULL
      )`);
    await db.query(`INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'))`);

    await db.query(`
      CREATE TABLE audit_event (
        seq bigint PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        at timestamptz NOT NULL,
        actor_user_id uuid,
        actor_organisation_id uuid,
        actor_role text,
        action text NOT NULL,
        case_id uuid,
        sections text[],
        outcome text NOT NULL CHECK (outcome IN ('allowed','denied')),
        legal_basis text,
        justification text,
        request_id text,
        ip text,
        prev_hash bytea NOT NULL,
        hash bytea NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_event_case_idx ON audit_event (case_id, seq DESC) WHERE case_id IS NOT NULL`);
    await db.query(`CREATE INDEX audit_event_actor_idx ON audit_event (actor_user_id, seq DESC)`);
    await db.query(`CREATE INDEX audit_event_actor_org_idx ON audit_event (actor_organisation_id, seq DESC)`);
    await db.query(`CREATE INDEX audit_event_at_idx ON audit_event (at)`);

    // Append-only, enforced by the database whatever the application does.
    await db.query(`
      CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()`);
    await db.query(`CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_event`);
    await db.query(`DROP FUNCTION audit_event_refuse_change()`);
    await db.query(`DROP TABLE audit_chain_head`);
  }
}
