import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { adminTarget } from '../audit/admin-target';
import { AuditService } from '../audit/audit.service';
import { hashPassword } from '../auth/password';
import type { Principal, RequestMeta } from '../access/principal';
import { PrincipalLoader } from '../auth/principal.loader';
import { keyset, toPage } from '../common/pagination';
import { SqlParams } from '../common/sql';
import { type EndedSession, SessionRepository } from '../auth/session.repository';
import { Problem } from '../common/problem';
import { uniqueViolation } from '../database/errors';
import type { OrganisationType } from '../access/organisation-type';
import type { MeDto } from '../auth/dto/auth.dto';
import { readMe } from '../auth/me';
import type { CreateUserDto, NewAccountDto, UpdateMeDto, UpdateUserDto, UserDto, UserListDto, UserListQueryDto } from './dto/user.dto';
import { Role, ROLE_ORGANISATION_TYPES } from '../access/role';

interface UserRow {
  id: string;
  organisation_id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = 'id, organisation_id, email, name, role, active, created_at, updated_at';

/** A session that was ended in a transaction; forgotten by the principal cache once that transaction commits. */
function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The names (never the values) of the fields a change sets. */
function changedFields(change: UpdateUserDto): string[] {
  return (['name', 'role', 'active'] as const).filter((field) => change[field] !== undefined);
}

/** Refuses a role that does not belong in this kind of organisation (PRODUCT.md, Organisations and roles). */
export function assertRoleFits(role: Role, organisationType: OrganisationType): void {
  if (!ROLE_ORGANISATION_TYPES[role].includes(organisationType)) {
    throw Problem.unprocessable('role-not-allowed', `The role ${role} does not belong in an organisation of type ${organisationType}`);
  }
}

/**
 * The accounts of an organisation, managed by its org_admin. Every lookup is scoped to the
 * admin's own organisation, so a user of another organisation is simply not found.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly principals: PrincipalLoader,
    private readonly sessions: SessionRepository,
    private readonly audit: AuditService,
  ) {}

  async list(admin: Principal, query: UserListQueryDto): Promise<UserListDto> {
    const { limit, after } = keyset(query, ['text']);
    const params = new SqlParams();
    const where = [`organisation_id = ${params.add(admin.organisationId)}`];
    if (query.role) where.push(`role = ${params.add(query.role)}`);
    if (after) where.push(`email > ${params.add(after[0])}::citext`);
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM "user" WHERE ${where.join(' AND ')} ORDER BY email LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    return toPage(rows, limit, toUserDto, (row) => [row.email]);
  }

  async create(admin: Principal, input: CreateUserDto, meta: RequestMeta): Promise<UserDto> {
    if (input.role === Role.PlatformAdmin) throw Problem.forbidden('An organisation admin cannot create platform admins');
    assertRoleFits(input.role, admin.organisationType);
    const passwordHash = await hashPassword(input.password);
    return this.dataSource.transaction((manager) => this.createAccount(manager, admin.organisationId, input, input.role, passwordHash, admin, meta));
  }

  /**
   * Creates an account inside the caller's transaction (the first admin of a new organisation
   * commits together with it), audited as user.create by `actor`. The password is hashed before
   * the transaction starts, since hashing is deliberately slow.
   */
  async createAccount(
    manager: EntityManager,
    organisationId: string,
    input: NewAccountDto,
    role: Role,
    passwordHash: string,
    actor: Principal,
    meta: RequestMeta,
  ): Promise<UserDto> {
    const user = await this.insertAccount(manager, organisationId, input, role, passwordHash);
    await this.audit.record(manager, { action: AuditAction.UserCreate, outcome: 'allowed', actor, justification: adminTarget('user', user.id), meta });
    return user;
  }

  async update(admin: Principal, userId: string, change: UpdateUserDto, meta: RequestMeta): Promise<UserDto> {
    if (change.role === Role.PlatformAdmin) throw Problem.forbidden('An organisation admin cannot grant the platform_admin role');
    if (change.role) assertRoleFits(change.role, admin.organisationType);
    // An admin who could give itself an operational role would read case content minutes later.
    if (userId.toLowerCase() === admin.userId && ((change.role !== undefined && change.role !== admin.role) || change.active === false)) {
      await this.audit.recordNow({
        action: AuditAction.UserUpdate,
        outcome: 'denied',
        actor: admin,
        sections: changedFields(change),
        justification: adminTarget('user', admin.userId),
        meta,
      });
      throw Problem.forbidden('You cannot change your own role or deactivate yourself; ask another org admin');
    }
    const { user, ended } = await this.dataSource.transaction(async (manager) => {
      // Serialises admin changes within one organisation, so two admins cannot demote each other at once.
      await manager.query(`SELECT 1 FROM organisation WHERE id = $1 FOR NO KEY UPDATE`, [admin.organisationId]);
      const rows: UserRow[] = await manager.query(`SELECT ${USER_COLUMNS} FROM "user" WHERE id = $1 AND organisation_id = $2 FOR UPDATE`, [
        userId,
        admin.organisationId,
      ]);
      const current = rows[0];
      if (!current) throw Problem.notFound('No such user in your organisation');
      if (current.role === Role.PlatformAdmin) throw Problem.forbidden('An organisation admin cannot change platform admins');
      const nextRole = change.role ?? current.role;
      const nextActive = change.active ?? current.active;
      const losesAdmin = current.active && current.role === Role.OrgAdmin && (!nextActive || nextRole !== Role.OrgAdmin);
      if (losesAdmin) {
        const others: Array<{ count: number }> = await manager.query(
          `SELECT count(*)::int AS count FROM "user" WHERE organisation_id = $1 AND role = 'org_admin' AND active AND id <> $2`,
          [admin.organisationId, userId],
        );
        if (others[0]!.count === 0) {
          throw Problem.unprocessable('last-org-admin', 'The organisation would be left without an active org_admin; appoint another one first');
        }
      }
      const [updated]: [UserRow[], number] = await manager.query(
        `UPDATE "user" SET name = $2, role = $3, active = $4, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [userId, change.name ?? current.name, nextRole, nextActive],
      );
      const endedSessions = current.active && !nextActive ? await this.endSessions(manager, { userId }) : [];
      // A new role must not wait for the principal cache: this process forgets the user's sessions at once.
      const relabelled: Array<{ id: string }> =
        nextActive && nextRole !== current.role ? await manager.query(`SELECT id FROM auth_session WHERE user_id = $1 AND revoked_at IS NULL`, [userId]) : [];
      const next = updated[0]!;
      const changed = (['name', 'role', 'active'] as const).filter((field) => next[field] !== current[field]);
      if (changed.length > 0) {
        await this.audit.record(manager, {
          action: AuditAction.UserUpdate,
          outcome: 'allowed',
          actor: admin,
          sections: changed,
          justification: adminTarget('user', userId),
          meta,
        });
      }
      return { user: next, ended: [...endedSessions, ...relabelled.map((session) => ({ userId, sessionId: session.id }))] };
    });
    this.forgetSessions(ended);
    return toUserDto(user);
  }

  /** A user's own language and name. A new name is audited (others read it next to what this user did); a language is not. */
  async updateMe(user: Principal, change: UpdateMeDto, meta: RequestMeta): Promise<MeDto> {
    return this.dataSource.transaction(async (manager) => {
      const [rows]: [Array<{ name_changed: boolean }>, number] = await manager.query(
        `UPDATE "user" u SET language = COALESCE($2, u.language), name = COALESCE($3, u.name), updated_at = now()
           FROM "user" old WHERE u.id = $1 AND old.id = u.id RETURNING u.name IS DISTINCT FROM old.name AS name_changed`,
        [user.userId, change.language ?? null, change.name ?? null],
      );
      if (rows[0]?.name_changed) {
        await this.audit.record(manager, {
          action: AuditAction.UserUpdate,
          outcome: 'allowed',
          actor: user,
          sections: ['name'],
          justification: adminTarget('user', user.userId),
          meta,
        });
      }
      return readMe(manager, user.userId);
    });
  }

  /** Revokes the live sessions of a user or of every user of an organisation (deactivation). */
  endSessions(manager: EntityManager, of: { userId: string } | { organisationId: string }): Promise<EndedSession[]> {
    return this.sessions.endFor(manager, of);
  }

  /** This process refuses the ended sessions at once; other processes follow within the principal cache time. */
  forgetSessions(sessions: readonly EndedSession[]): void {
    for (const session of sessions) this.principals.forget(session.userId, session.sessionId);
  }

  private async insertAccount(manager: EntityManager, organisationId: string, input: NewAccountDto, role: Role, passwordHash: string): Promise<UserDto> {
    try {
      const rows: UserRow[] = await manager.query(
        `INSERT INTO "user" (organisation_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
        [organisationId, input.email, input.name, role, passwordHash],
      );
      return toUserDto(rows[0]!);
    } catch (error) {
      if (uniqueViolation(error) === 'user_email_key') throw Problem.conflict('email-taken', 'An account with this e-mail address already exists');
      throw error;
    }
  }
}
