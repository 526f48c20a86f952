import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CaseNotesAndDocuments1764400005100 implements MigrationInterface {
  name = 'CaseNotesAndDocuments1764400005100';

  async up(db: QueryRunner): Promise<void> {
    // Notes and the victim contact log: the body is AES-256-GCM ciphertext sealed by the application.
    await db.query(`
      CREATE TABLE case_note (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case"(id),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        author_id uuid NOT NULL REFERENCES "user"(id),
        kind text NOT NULL CHECK (kind IN ('note','contact')),
        visibility text NOT NULL CHECK (visibility IN ('organisation','participants')),
        contact_at timestamptz,
        key_id text NOT NULL,
        ciphertext bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT case_note_contact_at CHECK (kind = 'contact' OR contact_at IS NULL)
      )`);
    await db.query(`CREATE INDEX case_note_case_idx ON case_note (case_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX case_note_key_idx ON case_note (key_id)`);
    // Append-only: a correction is a new note. Only re-sealing under a new key (rotation) may touch a row.
    await db.query(`
      CREATE FUNCTION case_note_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (NEW.id, NEW.case_id, NEW.organisation_id, NEW.author_id, NEW.kind, NEW.visibility, NEW.contact_at, NEW.created_at)
             IS NOT DISTINCT FROM (OLD.id, OLD.case_id, OLD.organisation_id, OLD.author_id, OLD.kind, OLD.visibility, OLD.contact_at, OLD.created_at) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'case_note is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`CREATE TRIGGER case_note_append_only BEFORE UPDATE OR DELETE ON case_note FOR EACH ROW EXECUTE FUNCTION case_note_append_only()`);

    // A document: its own random data key, wrapped (sealed) by the application key; the name and
    // SHA-256 sealed with the data key; the content in blob storage, encrypted with the data key.
    await db.query(`
      CREATE TABLE case_document (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES "case"(id),
        section text NOT NULL CHECK (section IN ('identity','care','investigation','immigration')),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        uploaded_by uuid NOT NULL REFERENCES "user"(id),
        mime_type text NOT NULL CHECK (mime_type IN ('application/pdf','image/jpeg','image/png',
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document','application/vnd.oasis.opendocument.text')),
        size bigint NOT NULL CHECK (size > 0),
        key_id text NOT NULL,
        wrapped_key bytea NOT NULL,
        metadata bytea NOT NULL,
        chunk_count integer NOT NULL CHECK (chunk_count > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX case_document_case_idx ON case_document (case_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX case_document_key_idx ON case_document (key_id)`);

    // The PostgreSQL blob store: encrypted chunks of a document's content.
    await db.query(`
      CREATE TABLE document_blob_chunk (
        blob_id uuid NOT NULL,
        seq integer NOT NULL CHECK (seq >= 0),
        data bytea NOT NULL,
        PRIMARY KEY (blob_id, seq)
      )`);
    // TOAST would try to compress ciphertext, which never shrinks: store it as it is.
    await db.query(`ALTER TABLE document_blob_chunk ALTER COLUMN data SET STORAGE EXTERNAL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE document_blob_chunk, case_document, case_note`);
    await db.query(`DROP FUNCTION case_note_append_only()`);
  }
}
