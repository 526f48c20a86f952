import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Section } from '../access/policy';
import { Sealer } from '../common/crypto';
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
 * Reads and writes case sections. Sensitive sections are sealed with AES-256-GCM and bound to
 * their case and section (associated data), so the database only ever holds ciphertext.
 * Callers authorize and audit first (CasesService); this class never decides access.
 */
@Injectable()
export class CaseSectionsStore {
  constructor(private readonly sealer: Sealer) {}

  static associatedData(caseId: string, section: Section): string {
    return `case:${caseId}:section:${section}`;
  }

  async insert(manager: EntityManager, caseId: string, section: Section, data: SectionData, userId: string): Promise<void> {
    const columns = this.columns(caseId, section, data);
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
    return new Map(rows.map((row) => [row.section, { version: row.version, data: this.open(caseId, row) }]));
  }

  /** Writes a new version; the caller holds the row lock and has checked the expected version. */
  async write(manager: EntityManager, caseId: string, section: Section, data: SectionData, version: number, userId: string): Promise<void> {
    const columns = this.columns(caseId, section, data);
    await manager.query(
      `UPDATE case_section SET version = $3, data = $4, key_id = $5, ciphertext = $6, updated_at = now(), updated_by = $7 WHERE case_id = $1 AND section = $2`,
      [caseId, section, version, columns.data, columns.keyId, columns.ciphertext, userId],
    );
  }

  private columns(caseId: string, section: Section, data: SectionData): { data: SectionData | null; keyId: string | null; ciphertext: Buffer | null } {
    if (section === Section.Summary) return { data, keyId: null, ciphertext: null };
    const sealed = this.sealer.sealJson(data, CaseSectionsStore.associatedData(caseId, section));
    return { data: null, keyId: sealed.keyId, ciphertext: sealed.ciphertext };
  }

  private open(caseId: string, row: SectionRow): SectionData {
    if (row.section === Section.Summary) return row.data ?? {};
    return this.sealer.openJson<SectionData>({ keyId: row.key_id!, ciphertext: row.ciphertext! }, CaseSectionsStore.associatedData(caseId, row.section));
  }
}
