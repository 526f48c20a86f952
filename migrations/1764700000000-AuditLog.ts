import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail becomes a verifiable log (RFC 9162 Merkle tree, C2SP signed checkpoints).
 *
 * The request path no longer locks anything: an event takes its `seq` from a sequence. A single
 * sequencer (the worker holding an advisory lock) later gives every committed event its index
 * in the log, in the order it sees them commit; `sequenced_through` is the seq below which no
 * event can still appear (see AuditSequencer), so it only ever looks at the newest events.
 *
 * Events are never touched again. The log lives beside them, append-only:
 * - audit_log_entry: index → event id, and the leaf hash of the event's canonical bytes as
 *   stored (what RETURNING/SELECT gives, never what the caller passed in). Leaf hashes hold no
 *   personal data and outlive retention, so pruned ranges stay provable.
 * - audit_log_node: every complete subtree hash above the leaves (level ≥ 1), so an inclusion or
 *   consistency proof is at most 2·log2(n) lookups by primary key.
 * - audit_log_checkpoint: the signed notes, one per second while there are new events.
 * - audit_log_retention: signed records of pruned prefixes.
 * - audit_log_state: the sequencer's position (one row, written by the leader only).
 *
 * Events of milestone 1 keep their hash-chain columns (now nullable) and are integrated first,
 * in seq order; their HMAC checkpoints stay in audit_checkpoint.
 */
export class AuditLog1764700000000 implements MigrationInterface {
  name = 'AuditLog1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE audit_event_seq OWNED BY audit_event.seq`);
    await db.query(`SELECT setval('audit_event_seq', greatest((SELECT seq FROM audit_chain_head WHERE id = 1), (SELECT max(seq) FROM audit_event), 1))`);
    await db.query(`ALTER TABLE audit_event ALTER COLUMN seq SET DEFAULT nextval('audit_event_seq')`);
    // One clock for every API host: the database's, when the row is written.
    await db.query(`ALTER TABLE audit_event ALTER COLUMN at SET DEFAULT clock_timestamp()`);
    await db.query(`ALTER TABLE audit_event ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL`);
    await db.query(`DROP TABLE audit_chain_head`);

    await db.query(`
      CREATE TABLE audit_log_entry (
        log_index bigint PRIMARY KEY CHECK (log_index >= 0),
        event_id uuid NOT NULL UNIQUE,
        leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32)
      )`);
    await db.query(`
      CREATE TABLE audit_log_node (
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 62),
        node_index bigint NOT NULL CHECK (node_index >= 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, node_index)
      )`);
    await db.query(`
      CREATE TABLE audit_log_checkpoint (
        tree_size bigint PRIMARY KEY CHECK (tree_size > 0),
        root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
        signed_at timestamptz NOT NULL,
        note text NOT NULL
      )`);
    await db.query(`
      CREATE TABLE audit_log_retention (
        through_size bigint PRIMARY KEY CHECK (through_size > 0),
        checkpoint_size bigint NOT NULL,
        signed_at timestamptz NOT NULL,
        note text NOT NULL
      )`);
    await db.query(`
      CREATE TABLE audit_log_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        tree_size bigint NOT NULL,
        sequenced_through bigint NOT NULL
      )`);
    await db.query(`INSERT INTO audit_log_state (id, tree_size, sequenced_through) VALUES (1, 0, 0)`);

    // Events may go only when a signed retention record covers their index (the signature is
    // checked by verification: a forged record shows). Milestone-1 retention checkpoints no
    // longer matter: what they allowed is gone already.
    await db.query(`
      CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (
          SELECT 1 FROM audit_log_entry l
           WHERE l.event_id = OLD.id AND l.log_index < (SELECT coalesce(max(through_size), 0) FROM audit_log_retention)
        ) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_log_entry', 'audit_log_node', 'audit_log_checkpoint', 'audit_log_retention']) {
      await db.query(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
      await db.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
    }
    await db.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log_entry, audit_log_node, audit_log_checkpoint, audit_log_retention FROM PUBLIC`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['audit_log_state', 'audit_log_retention', 'audit_log_checkpoint', 'audit_log_node', 'audit_log_entry']) {
      await db.query(`DROP TABLE ${table}`);
    }
    await db.query(`DROP FUNCTION audit_log_refuse_change()`);
    await db.query(`
      CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT coalesce(max(seq), 0) FROM audit_checkpoint WHERE kind = 'retention') THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // Events written since cannot be chained backwards: reverting is for an empty log only.
    await db.query(`
      CREATE TABLE audit_chain_head (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash bytea NOT NULL,
        at timestamptz NOT NULL
      )`);
    await db.query(
      `INSERT INTO audit_chain_head (id, seq, hash, at)
       SELECT 1, coalesce(max(seq), 0), coalesce((SELECT hash FROM audit_event WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1), decode(repeat('00', 32), 'hex')), coalesce(max(at), 'epoch')
         FROM audit_event`,
    );
    await db.query(`ALTER TABLE audit_event ALTER COLUMN at DROP DEFAULT, ALTER COLUMN seq DROP DEFAULT`);
    await db.query(`DROP SEQUENCE audit_event_seq`);
  }
}
