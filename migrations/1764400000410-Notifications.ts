import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1764400000410 implements MigrationInterface {
  name = 'Notifications1764400000410';

  async up(db: QueryRunner): Promise<void> {
    // The public id of an event (webhooks, inbox dedupe); the bigint id only orders the relay.
    await db.query(`ALTER TABLE outbox_event ADD COLUMN event_id uuid NOT NULL DEFAULT gen_random_uuid()`);
    await db.query(`ALTER TABLE outbox_event ADD CONSTRAINT outbox_event_event_id_uq UNIQUE (event_id)`);
    // Set when the fan-out job has finished; a relayed event left unprocessed too long is relayed again.
    await db.query(`ALTER TABLE outbox_event ADD COLUMN processed_at timestamptz`);
    await db.query(`CREATE INDEX outbox_event_unprocessed_idx ON outbox_event (relayed_at) WHERE relayed_at IS NOT NULL AND processed_at IS NULL`);
    // Wakes the relay at commit time; per statement, so a bulk insert is one wake-up.
    await db.query(`
      CREATE FUNCTION outbox_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('passage_outbox', '');
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER outbox_event_notify AFTER INSERT ON outbox_event FOR EACH STATEMENT EXECUTE FUNCTION outbox_event_notify()`);

    await db.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES "user"(id),
        event_id uuid NOT NULL,
        type text NOT NULL,
        case_id uuid NOT NULL REFERENCES "case"(id),
        case_reference text NOT NULL,
        referral_id uuid,
        title text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        -- A fan-out job that runs twice finds the row already there.
        CONSTRAINT notification_user_event_uq UNIQUE (user_id, event_id)
      )`);
    await db.query(`CREATE INDEX notification_inbox_idx ON notification (user_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX notification_unread_idx ON notification (user_id, created_at DESC, id DESC) WHERE read_at IS NULL`);
    await db.query(`CREATE INDEX notification_event_idx ON notification (event_id)`);

    // One row per e-mail sent: a retried job sees it and does not send again.
    await db.query(`
      CREATE TABLE notification_email (
        notification_id uuid PRIMARY KEY REFERENCES notification(id),
        sent_at timestamptz NOT NULL DEFAULT now(),
        message_id text
      )`);

    // The secret is sealed (AES-256-GCM, key id kept) and shown once, at creation.
    await db.query(`
      CREATE TABLE webhook (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        url text NOT NULL CHECK (length(url) <= 2000),
        events text[] NOT NULL CHECK (cardinality(events) > 0),
        secret_key_id text NOT NULL,
        secret_ciphertext bytea NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_by uuid NOT NULL REFERENCES "user"(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX webhook_organisation_idx ON webhook (organisation_id) WHERE active`);

    // One delivery per webhook and event. `body` is the exact JSON that is signed and sent (ids only).
    await db.query(`
      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhook(id),
        event_id uuid NOT NULL,
        type text NOT NULL,
        case_id uuid NOT NULL,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','dead')),
        attempts integer NOT NULL DEFAULT 0,
        replays integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        dead_at timestamptz,
        CONSTRAINT webhook_delivery_webhook_event_uq UNIQUE (webhook_id, event_id)
      )`);
    await db.query(`CREATE INDEX webhook_delivery_list_idx ON webhook_delivery (webhook_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX webhook_delivery_dead_idx ON webhook_delivery (dead_at) WHERE status = 'dead'`);

    await db.query(`
      CREATE TABLE webhook_delivery_attempt (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_delivery(id),
        attempt integer NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        status_code integer,
        error text,
        duration_ms integer NOT NULL
      )`);
    await db.query(`CREATE INDEX webhook_delivery_attempt_delivery_idx ON webhook_delivery_attempt (delivery_id, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE webhook_delivery_attempt, webhook_delivery, webhook, notification_email, notification`);
    await db.query(`DROP TRIGGER outbox_event_notify ON outbox_event`);
    await db.query(`DROP FUNCTION outbox_event_notify()`);
    await db.query(`DROP INDEX outbox_event_unprocessed_idx`);
    await db.query(`ALTER TABLE outbox_event DROP COLUMN processed_at, DROP COLUMN event_id`);
  }
}
