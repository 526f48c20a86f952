import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: a hash chain of events, signed checkpoints over it, and database-side guards.
 *
 * Scale (hundreds of millions of events): one table, no partitioning. Every supervisor query is
 * keyset-paginated by `seq` and narrowed by a btree on (filter column, seq), so a page reads
 * about `limit` index entries whatever the table size. The supervisor scope is denormalised into
 * the row at write time (actor's country, the case's lead organisation and country) so it is
 * answered from those indexes too, never by joining cases or organisations. `at` never
 * decreases along the chain (the writer takes the later of its clock and the head's time), so a
 * time window is also a seq range, found with two probes of the (at, seq) index. Retention
 * (AUDIT_RETENTION_DAYS) removes a prefix of the chain behind a signed "retention" checkpoint
 * instead of dropping partitions: the chain stays one sequence and verification starts from
 * that checkpoint.
 */
export class AuditTrail1764400000100 implements MigrationInterface {
  name = 'AuditTrail1764400000100';

  async up(db: QueryRunner): Promise<void> {
    // One row: the head of the hash chain. Appending locks it, so events chain in commit order without forks.
    await db.query(`
      CREATE TABLE audit_chain_head (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash bytea NOT NULL,
        at timestamptz NOT NULL
      )`);
    await db.query(`INSERT INTO audit_chain_head (id, seq, hash, at) VALUES (1, 0, decode(repeat('00', 32), 'hex'), 'epoch')`);

    await db.query(`
      CREATE TABLE audit_event (
        seq bigint PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        at timestamptz NOT NULL,
        actor_user_id uuid,
        actor_organisation_id uuid,
        actor_role text,
        actor_country char(2),
        action text NOT NULL,
        case_id uuid,
        case_lead_organisation_id uuid,
        case_country char(2),
        sections text[],
        outcome text NOT NULL CHECK (outcome IN ('allowed','denied')),
        legal_basis text,
        justification text,
        request_id text,
        ip text,
        prev_hash bytea NOT NULL,
        hash bytea NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_event_case_idx ON audit_event (case_id, seq) WHERE case_id IS NOT NULL`);
    await db.query(`CREATE INDEX audit_event_actor_idx ON audit_event (actor_user_id, seq) WHERE actor_user_id IS NOT NULL`);
    await db.query(`CREATE INDEX audit_event_actor_org_idx ON audit_event (actor_organisation_id, seq) WHERE actor_organisation_id IS NOT NULL`);
    await db.query(`CREATE INDEX audit_event_case_lead_idx ON audit_event (case_lead_organisation_id, seq) WHERE case_lead_organisation_id IS NOT NULL`);
    await db.query(`CREATE INDEX audit_event_actor_country_idx ON audit_event (actor_country, seq) WHERE actor_country IS NOT NULL`);
    await db.query(`CREATE INDEX audit_event_case_country_idx ON audit_event (case_country, seq) WHERE case_country IS NOT NULL`);
    await db.query(`CREATE INDEX audit_event_at_idx ON audit_event (at, seq)`);

    // The signing key never reaches the database: a superuser can rewrite rows and recompute
    // hashes, but cannot produce a checkpoint that vouches for the rewritten chain.
    await db.query(`
      CREATE TABLE audit_checkpoint (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('periodic','verify','retention')),
        seq bigint NOT NULL CHECK (seq > 0),
        hash bytea NOT NULL,
        signed_at timestamptz NOT NULL,
        signature bytea NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_checkpoint_seq_idx ON audit_checkpoint (seq, id)`);
    await db.query(`CREATE INDEX audit_checkpoint_retention_idx ON audit_checkpoint (seq) WHERE kind = 'retention'`);

    // Append-only, enforced by the database whatever the application does. The one exception is
    // retention: rows at or below a retention checkpoint may go. Writing such a checkpoint needs
    // the signing key to be believed, so a forged one makes verification fail.
    await db.query(`
      CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT coalesce(max(seq), 0) FROM audit_checkpoint WHERE kind = 'retention') THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()`);
    await db.query(`CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()`);

    await db.query(`
      CREATE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_checkpoint is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(
      `CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE ON audit_checkpoint FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()`,
    );
    await db.query(
      `CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_refuse_change()`,
    );

    // The application's role usually owns these tables, and an owner keeps every right, so the
    // triggers above are the guard that holds for it. The revoke matters when the API runs as a
    // role that does not own the schema (recommended in production: grant it SELECT and INSERT
    // on audit_event and audit_checkpoint, SELECT and UPDATE on audit_chain_head, nothing more).
    await db.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_event, audit_checkpoint FROM PUBLIC`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_checkpoint`);
    await db.query(`DROP FUNCTION audit_checkpoint_refuse_change()`);
    await db.query(`DROP TABLE audit_event`);
    await db.query(`DROP FUNCTION audit_event_refuse_change()`);
    await db.query(`DROP TABLE audit_chain_head`);
  }
}
