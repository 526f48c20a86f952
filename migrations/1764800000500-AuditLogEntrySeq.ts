import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each log entry also records its event's `seq`, so verification finds the event through
 * audit_event's primary key, walked almost in order (the log follows seq but for late commits),
 * instead of a random lookup in the uuid index per event. The event id stays the entry's
 * identity: the walk joins on both and looks an event up by id when they disagree. Entries whose
 * event was already pruned keep a null seq.
 */
export class AuditLogEntrySeq1764800000500 implements MigrationInterface {
  name = 'AuditLogEntrySeq1764800000500';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE audit_log_entry ADD COLUMN seq bigint`);
    // The log is append-only by trigger; filling the new column is the one update it ever sees.
    await db.query(`ALTER TABLE audit_log_entry DISABLE TRIGGER audit_log_entry_no_change`);
    await db.query(`UPDATE audit_log_entry l SET seq = e.seq FROM audit_event e WHERE e.id = l.event_id`);
    await db.query(`ALTER TABLE audit_log_entry ENABLE TRIGGER audit_log_entry_no_change`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE audit_log_entry DROP COLUMN seq`);
  }
}
