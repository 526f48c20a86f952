import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AccessService, type LoadedCase } from '../access/access.service';
import { type CaseAbility, CaseAction } from '../access/case-ability.factory';
import { Section } from '../access/policy';
import type { Principal, RequestMeta } from '../access/principal';
import { AuditAction } from '../audit/audit-action';
import { CaseCommand, type SectionsOf } from '../cases/case-command';
import { type CaseCipher, CASE_KEY_ID, CaseKeysService } from '../cases/case-keys.service';
import { CaseLifecycle, type CaseLifecycleListener } from '../cases/case-lifecycle';
import { CasesService } from '../cases/cases.service';
import { Problem } from '../common/problem';
import { DOCUMENT_BLOB_STORE, type DocumentBlobStore } from './document-blob-store';
import { DocumentCipher, documentKeyAssociatedData } from './document-cipher';
import { DOCUMENT_EXTENSIONS, type DocumentMimeType, sniffDocumentType } from './document-type';
import type { DocumentDto, DocumentSection } from './dto/document.dto';

interface DocumentRow {
  id: string;
  case_id: string;
  section: DocumentSection;
  organisation_id: string;
  uploaded_by: string;
  mime_type: DocumentMimeType;
  size: string;
  key_id: string;
  wrapped_key: Buffer;
  metadata: Buffer;
  chunk_count: number;
  created_at: Date;
}

interface DocumentMetadata {
  name: string;
  sha256: string;
}

export interface DocumentDownload {
  name: string;
  mimeType: DocumentMimeType;
  size: number;
  stream: Readable;
}

const SELECT_DOCUMENT = `SELECT id, case_id, section, organisation_id, uploaded_by, mime_type, size::text AS size, key_id, wrapped_key, metadata, chunk_count, created_at FROM case_document`;
const DOCUMENT_NOT_FOUND = (): Problem => Problem.notFound('Document not found');

/** A file name as the uploader gave it, without any path, control characters or excess length; never empty. */
export function cleanFileName(name: string, mimeType: DocumentMimeType): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, 200);
  return base === '' || base === '.' || base === '..' ? `document.${DOCUMENT_EXTENSIONS[mimeType]}` : base;
}

/**
 * Documents attached to a section of a case: whoever may write the section attaches, whoever may
 * read it downloads. Each document has its own data key, wrapped by its case's data key (so
 * retention shreds it with the case); its content goes encrypted, in chunks, to the blob store,
 * and its name and digest are sealed too, so the database holds no plaintext of it.
 */
@Injectable()
export class DocumentsService implements CaseLifecycleListener, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DOCUMENT_BLOB_STORE) private readonly blobs: DocumentBlobStore,
    private readonly command: CaseCommand,
    private readonly cases: CasesService,
    private readonly access: AccessService,
    private readonly keys: CaseKeysService,
    private readonly lifecycle: CaseLifecycle,
  ) {}

  onModuleInit(): void {
    this.lifecycle.register(this);
  }

  async valuesUnderMasterKey(manager: EntityManager, caseId: string): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(`SELECT count(*)::int AS count FROM case_document WHERE case_id = $1 AND key_id <> $2`, [
      caseId,
      CASE_KEY_ID,
    ]);
    return rows[0]!.count;
  }

  /**
   * The names of the documents of these sections, oldest first, for a reader inside
   * CasesService.readCase that has decided which sections it may see (the subject report).
   */
  async namesOf(
    manager: EntityManager,
    caseId: string,
    sections: readonly Section[],
  ): Promise<Array<{ section: DocumentSection; name: string; createdAt: Date }>> {
    const rows: DocumentRow[] = await manager.query(`${SELECT_DOCUMENT} WHERE case_id = $1 AND section = ANY($2) ORDER BY created_at, id`, [caseId, sections]);
    const cipher = await this.keys.cipherFor(manager, caseId);
    return rows.map((row) => ({
      section: row.section,
      name: this.cipherOf(row, cipher).openMetadata<DocumentMetadata>(row.id, row.metadata).name,
      createdAt: row.created_at,
    }));
  }

  async upload(
    principal: Principal,
    caseId: string,
    section: DocumentSection,
    file: { name: string; content: Buffer },
    meta: RequestMeta,
  ): Promise<DocumentDto> {
    const mimeType = sniffDocumentType(file.content);
    const id = randomUUID();
    const cipher = DocumentCipher.generate();
    // Encrypted before the case is locked: the lock is held for the inserts only.
    const metadata: DocumentMetadata = {
      name: mimeType ? cleanFileName(file.name, mimeType) : '',
      sha256: createHash('sha256').update(file.content).digest('hex'),
    };
    const chunks = mimeType ? cipher.encryptContent(id, file.content) : [];
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.DocumentUpload,
      sections: [section],
      authorize: this.command.requireAction(CaseAction.Update, section),
      work: async ({ manager }) => {
        if (!mimeType) return new Problem(415, 'unsupported-document-type', 'Documents may be PDF, JPEG, PNG, DOCX or ODT; this file is none of them');
        const wrapped = (await this.keys.cipherForWrite(manager, caseId)).seal(cipher.dataKey, documentKeyAssociatedData(id));
        const rows: Array<{ created_at: Date }> = await manager.query(
          `INSERT INTO case_document (id, case_id, section, organisation_id, uploaded_by, mime_type, size, key_id, wrapped_key, metadata, chunk_count)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING created_at`,
          [
            id,
            caseId,
            section,
            principal.organisationId,
            principal.userId,
            mimeType,
            file.content.length,
            wrapped.keyId,
            wrapped.ciphertext,
            cipher.sealMetadata(id, metadata),
            chunks.length,
          ],
        );
        await this.blobs.write(manager, id, chunks);
        return {
          result: {
            id,
            caseId,
            name: metadata.name,
            size: file.content.length,
            mimeType,
            section,
            sha256: metadata.sha256,
            organisationId: principal.organisationId,
            uploadedBy: principal.userId,
            createdAt: rows[0]!.created_at.toISOString(),
          },
        };
      },
    });
  }

  /** The documents of the sections the caller may read, newest first. */
  list(principal: Principal, caseId: string, meta: RequestMeta): Promise<{ items: DocumentDto[] }> {
    const readable: SectionsOf = (ability, loaded) => this.readableDocumentSections(ability, loaded);
    return this.cases.readCase({ principal, caseId, meta, action: AuditAction.DocumentList, sections: readable }, async ({ manager, ability, loaded }) => {
      const rows: DocumentRow[] = await manager.query(`${SELECT_DOCUMENT} WHERE case_id = $1 AND section = ANY($2) ORDER BY created_at DESC, id DESC`, [
        caseId,
        this.readableDocumentSections(ability, loaded),
      ]);
      const cipher = await this.keys.cipherFor(manager, caseId);
      return { items: rows.map((row) => this.toDto(row, cipher)) };
    });
  }

  /** The content, decrypted chunk by chunk as it streams; audited before the first byte leaves. */
  async download(principal: Principal, documentId: string, meta: RequestMeta): Promise<DocumentDownload> {
    const rows: DocumentRow[] = await this.dataSource.query(`${SELECT_DOCUMENT} WHERE id = $1`, [documentId]);
    const row = rows[0];
    if (!row) {
      await this.command.deny(principal, null, meta, { action: AuditAction.DocumentRead });
      throw DOCUMENT_NOT_FOUND();
    }
    // A document of a section the caller may not read is as unknown to them as one that does not exist.
    await this.cases.readCase(
      {
        principal,
        caseId: row.case_id,
        meta,
        action: AuditAction.DocumentRead,
        authorize: (ability, loaded) => (this.access.can(ability, CaseAction.Read, loaded, row.section) ? undefined : DOCUMENT_NOT_FOUND()),
        notFound: DOCUMENT_NOT_FOUND,
        sections: [row.section],
        auditFirst: true,
      },
      () => Promise.resolve(),
    );
    const cipher = this.cipherOf(row, await this.keys.cipherFor(this.dataSource.manager, row.case_id));
    const metadata = cipher.openMetadata<DocumentMetadata>(row.id, row.metadata);
    const blobs = this.blobs;
    async function* plaintext(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < row!.chunk_count; seq += 1) {
        const chunk = await blobs.readChunk(row!.id, seq);
        if (!chunk) throw new Error(`document ${row!.id} is missing chunk ${seq}`);
        yield cipher.decryptChunk(row!.id, seq, seq === row!.chunk_count - 1, chunk);
      }
    }
    return { name: metadata.name, mimeType: row.mime_type, size: Number(row.size), stream: Readable.from(plaintext()) };
  }

  private readableDocumentSections(ability: CaseAbility, loaded: LoadedCase): Section[] {
    return this.access.readableSections(ability, loaded).filter((section) => section !== Section.Summary);
  }

  private cipherOf(row: DocumentRow, caseCipher: CaseCipher): DocumentCipher {
    return DocumentCipher.withKey(caseCipher.open({ keyId: row.key_id, ciphertext: row.wrapped_key }, documentKeyAssociatedData(row.id)));
  }

  private toDto(row: DocumentRow, caseCipher: CaseCipher): DocumentDto {
    const metadata = this.cipherOf(row, caseCipher).openMetadata<DocumentMetadata>(row.id, row.metadata);
    return {
      id: row.id,
      caseId: row.case_id,
      name: metadata.name,
      size: Number(row.size),
      mimeType: row.mime_type,
      section: row.section,
      sha256: metadata.sha256,
      organisationId: row.organisation_id,
      uploadedBy: row.uploaded_by,
      createdAt: row.created_at.toISOString(),
    };
  }
}
