import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CASE_KEY_ID } from '../cases/case-keys.service';
import { SqlParams } from '../common/sql';
import type { NoteKind, NoteVisibility } from './dto/note.dto';

export interface NoteRow {
  id: string;
  case_id: string;
  organisation_id: string;
  organisation_slug: string;
  organisation_name: string;
  author_id: string;
  author_name: string;
  kind: NoteKind;
  visibility: NoteVisibility;
  contact_at: Date | null;
  key_id: string;
  ciphertext: Buffer;
  created_at: Date;
  created_key: string;
}

const SELECT_NOTE = `
  SELECT n.id, n.case_id, n.organisation_id, o.slug AS organisation_slug, o.name AS organisation_name, n.author_id, u.name AS author_name,
         n.kind, n.visibility, n.contact_at, n.key_id, n.ciphertext, n.created_at, n.created_at::text AS created_key
    FROM case_note n JOIN organisation o ON o.id = n.organisation_id JOIN "user" u ON u.id = n.author_id`;

/** The only writer of case_note; the table itself refuses changes (append-only) except re-sealing. */
@Injectable()
export class NoteRepository {
  async insert(
    manager: EntityManager,
    note: {
      id: string;
      caseId: string;
      organisationId: string;
      authorId: string;
      kind: NoteKind;
      visibility: NoteVisibility;
      contactAt: string | null;
      keyId: string;
      ciphertext: Buffer;
    },
  ): Promise<NoteRow> {
    await manager.query(
      `INSERT INTO case_note (id, case_id, organisation_id, author_id, kind, visibility, contact_at, key_id, ciphertext) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [note.id, note.caseId, note.organisationId, note.authorId, note.kind, note.visibility, note.contactAt, note.keyId, note.ciphertext],
    );
    const rows: NoteRow[] = await manager.query(`${SELECT_NOTE} WHERE n.id = $1`, [note.id]);
    return rows[0]!;
  }

  /** A newest-first page of the notes `organisationId` may read: its own, and every participants-wide one. */
  async page(
    manager: EntityManager,
    caseId: string,
    organisationId: string,
    options: { kind?: NoteKind; before?: { createdAt: string; id: string }; limit: number },
  ): Promise<NoteRow[]> {
    const params = new SqlParams();
    const where = [`n.case_id = ${params.add(caseId)}`, `(n.visibility = 'participants' OR n.organisation_id = ${params.add(organisationId)})`];
    if (options.kind) where.push(`n.kind = ${params.add(options.kind)}`);
    if (options.before) where.push(`(n.created_at, n.id) < (${params.add(options.before.createdAt)}::timestamptz, ${params.add(options.before.id)}::uuid)`);
    return manager.query(`${SELECT_NOTE} WHERE ${where.join(' AND ')} ORDER BY n.created_at DESC, n.id DESC LIMIT ${params.add(options.limit)}`, params.values);
  }

  /** Every note `organisationId` may read, oldest first (the subject report). */
  readableBy(manager: EntityManager, caseId: string, organisationId: string): Promise<NoteRow[]> {
    return manager.query(`${SELECT_NOTE} WHERE n.case_id = $1 AND (n.visibility = 'participants' OR n.organisation_id = $2) ORDER BY n.created_at, n.id`, [
      caseId,
      organisationId,
    ]);
  }

  /** Notes of the case sealed under a master key (before per-case keys), which destroying the case key would not shred. */
  async countUnderOtherKeys(manager: EntityManager, caseId: string): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(`SELECT count(*)::int AS count FROM case_note WHERE case_id = $1 AND key_id <> $2`, [
      caseId,
      CASE_KEY_ID,
    ]);
    return rows[0]!.count;
  }
}
