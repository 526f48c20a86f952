import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Section } from '../access/policy';
import { type CaseCipher, CaseKeysService, CASE_KEY_ID } from './case-keys.service';
import type { SectionData } from './sections/sections';

export interface StoredSection {
  data: SectionData;
  version: number;
}

interface SectionRow {
  section: Section;
  version: number;
  data: SectionData | null;
  key_id: string | null;
  ciphertext: Buffer | null;
}

/**
 * Reads and writes case sections. Sensitive sections are sealed with AES-256-GCM under the case's
 * data key (CaseKeysService) and bound to their case and section (associated data), so the
 * database only ever holds ciphertext, and destroying the case key shreds them.
 * Callers authorize and audit first (CasesService); this class never decides access.
 */
@Injectable()
export class CaseSectionsStore {
  constructor(private readonly keys: CaseKeysService) {}

  static associatedData(caseId: string, section: Section): string {
    return `case:${caseId}:section:${section}`;
  }

  async insert(manager: EntityManager, caseId: string, section: Section, data: SectionData, userId: string): Promise<void> {
    const columns = await this.columns(manager, caseId, section, data);
    await manager.query(`INSERT INTO case_section (case_id, section, version, data, key_id, ciphertext, updated_by) VALUES ($1, $2, 1, $3, $4, $5, $6)`, [
      caseId,
      section,
      columns.data,
      columns.keyId,
      columns.ciphertext,
      userId,
    ]);
  }

  async read(manager: EntityManager, caseId: string, sections: readonly Section[], options: { lock?: boolean } = {}): Promise<Map<Section, StoredSection>> {
    const rows: SectionRow[] = await manager.query(
      `SELECT section, version, data, key_id, ciphertext FROM case_section WHERE case_id = $1 AND section = ANY($2) ${options.lock ? 'FOR UPDATE' : ''}`,
      [caseId, sections],
    );
    const cipher = rows.some((row) => row.section !== Section.Summary) ? await this.keys.cipherFor(manager, caseId) : undefined;
    return new Map(rows.map((row) => [row.section, { version: row.version, data: this.open(cipher, caseId, row) }]));
  }

  /** Writes a new version; the caller holds the row lock and has checked the expected version. */
  async write(manager: EntityManager, caseId: string, section: Section, data: SectionData, version: number, userId: string | null): Promise<void> {
    const columns = await this.columns(manager, caseId, section, data);
    await manager.query(
      `UPDATE case_section SET version = $3, data = $4, key_id = $5, ciphertext = $6, updated_at = now(), updated_by = $7 WHERE case_id = $1 AND section = $2`,
      [caseId, section, version, columns.data, columns.keyId, columns.ciphertext, userId],
    );
  }

  /** How many sealed sections of the case are still under a master key (written before per-case keys; not shredded by destroying the case key). */
  async underMasterKey(manager: EntityManager, caseId: string): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(
      `SELECT count(*)::int AS count FROM case_section WHERE case_id = $1 AND key_id IS NOT NULL AND key_id <> $2`,
      [caseId, CASE_KEY_ID],
    );
    return rows[0]!.count;
  }

  private async columns(
    manager: EntityManager,
    caseId: string,
    section: Section,
    data: SectionData,
  ): Promise<{ data: SectionData | null; keyId: string | null; ciphertext: Buffer | null }> {
    if (section === Section.Summary) return { data, keyId: null, ciphertext: null };
    const cipher = await this.keys.cipherForWrite(manager, caseId);
    const sealed = cipher.sealJson(data, CaseSectionsStore.associatedData(caseId, section));
    return { data: null, keyId: sealed.keyId, ciphertext: sealed.ciphertext };
  }

  private open(cipher: CaseCipher | undefined, caseId: string, row: SectionRow): SectionData {
    if (row.section === Section.Summary || !cipher) return row.data ?? {};
    return cipher.openJson<SectionData>({ keyId: row.key_id!, ciphertext: row.ciphertext! }, CaseSectionsStore.associatedData(caseId, row.section));
  }
}
