import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { CaseAction } from '../access/case-ability.factory';
import type { Principal, RequestMeta } from '../access/principal';
import { AuditAction } from '../audit/audit-action';
import { CASE_NOT_FOUND, CaseCommand } from '../cases/case-command';
import { type CaseCipher, CaseKeysService } from '../cases/case-keys.service';
import { CaseLifecycle, type CaseLifecycleListener } from '../cases/case-lifecycle';
import { CasesService } from '../cases/cases.service';
import { keyset, type Page, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import type { CreateNoteDto, ListNotesQuery, NoteDto } from './dto/note.dto';
import { NoteRepository, type NoteRow } from './note.repository';

/** Binds a note's ciphertext to its case and id, so it cannot be moved to another note or case. */
export function noteAssociatedData(caseId: string, noteId: string): string {
  return `case:${caseId}:note:${noteId}`;
}

/**
 * Notes and the victim contact log: written by any participating organisation while the case is
 * open, read by the author's organisation (`organisation`) or every participating one
 * (`participants`). Append-only; the body is victim data, sealed with the case's data key like
 * the sensitive sections, so retention shreds it although the row itself can never be deleted.
 */
@Injectable()
export class NotesService implements CaseLifecycleListener, OnModuleInit {
  constructor(
    private readonly command: CaseCommand,
    private readonly cases: CasesService,
    private readonly access: AccessService,
    private readonly notes: NoteRepository,
    private readonly keys: CaseKeysService,
    private readonly lifecycle: CaseLifecycle,
  ) {}

  onModuleInit(): void {
    this.lifecycle.register(this);
  }

  valuesUnderMasterKey(manager: EntityManager, caseId: string): Promise<number> {
    return this.notes.countUnderOtherKeys(manager, caseId);
  }

  create(principal: Principal, caseId: string, dto: CreateNoteDto, meta: RequestMeta): Promise<NoteDto> {
    if (dto.kind === 'note' && dto.contactAt !== undefined) {
      throw Problem.badRequest('The request is invalid', [{ path: 'contactAt', message: 'is for contact entries only' }]);
    }
    if (dto.contactAt !== undefined && Date.parse(dto.contactAt) > Date.now() + 60_000) {
      throw Problem.unprocessable('contact-in-future', 'A contact cannot be recorded in the future');
    }
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.NoteCreate,
      authorize: this.command.requireAction(CaseAction.AddNote),
      basis: this.command.readable,
      work: async ({ manager }) => {
        const id = randomUUID();
        const cipher = await this.keys.cipherForWrite(manager, caseId);
        const sealed = cipher.seal(Buffer.from(dto.body, 'utf8'), noteAssociatedData(caseId, id));
        const row = await this.notes.insert(manager, {
          id,
          caseId,
          organisationId: principal.organisationId,
          authorId: principal.userId,
          kind: dto.kind,
          visibility: dto.visibility,
          contactAt: dto.kind === 'contact' ? (dto.contactAt ?? new Date().toISOString()) : null,
          keyId: sealed.keyId,
          ciphertext: sealed.ciphertext,
        });
        return { result: this.toDto(row, cipher) };
      },
    });
  }

  list(principal: Principal, caseId: string, query: ListNotesQuery, meta: RequestMeta): Promise<Page<NoteDto>> {
    return this.cases.readCase(
      {
        principal,
        caseId,
        meta,
        action: AuditAction.NoteList,
        authorize: (ability, loaded) => {
          if (!this.access.isVisible(ability, loaded)) return CASE_NOT_FOUND();
          return this.access.can(ability, CaseAction.ReadNotes, loaded) ? undefined : Problem.forbidden('Notes are read by the participating organisations');
        },
        basis: this.cases.readable,
      },
      async ({ manager }) => {
        const { limit, after } = keyset(query, ['time', 'id']);
        const rows = await this.notes.page(manager, caseId, principal.organisationId, {
          kind: query.kind,
          before: after ? { createdAt: after[0], id: after[1] } : undefined,
          limit: limit + 1,
        });
        const cipher = await this.keys.cipherFor(manager, caseId);
        return toPage(
          rows,
          limit,
          (row) => this.toDto(row, cipher),
          (row) => [row.created_key, row.id],
        );
      },
    );
  }

  /**
   * Every note the caller's organisation may read, opened, oldest first, for a reader inside
   * CasesService.readCase that has decided the caller may read the notes (the subject report).
   */
  async readableNotes(manager: EntityManager, caseId: string, organisationId: string): Promise<NoteDto[]> {
    const rows = await this.notes.readableBy(manager, caseId, organisationId);
    const cipher = await this.keys.cipherFor(manager, caseId);
    return rows.map((row) => this.toDto(row, cipher));
  }

  private toDto(row: NoteRow, cipher: CaseCipher): NoteDto {
    return {
      id: row.id,
      caseId: row.case_id,
      kind: row.kind,
      visibility: row.visibility,
      body: cipher.open({ keyId: row.key_id, ciphertext: row.ciphertext }, noteAssociatedData(row.case_id, row.id)).toString('utf8'),
      contactAt: row.contact_at?.toISOString() ?? null,
      author: { id: row.author_id, name: row.author_name },
      organisation: { id: row.organisation_id, slug: row.organisation_slug, name: row.organisation_name },
      createdAt: row.created_at.toISOString(),
    };
  }
}
