import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { adminTarget } from '../audit/admin-target';
import { AuditService } from '../audit/audit.service';
import { randomBytes } from 'node:crypto';
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
import type {
  CreateUserDto,
  InviteUserDto,
  NewAccountDto,
  SetPasswordDto,
  UpdateMeDto,
  UpdateUserDto,
  UserDto,
  UserListDto,
  UserListQueryDto,
} from './dto/user.dto';
import { Role, ROLE_ORGANISATION_TYPES } from '../access/role';
import { accountChangeRefusal } from '../access/organisation-scope';
import { InvitationRepository } from './invitation.repository';

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

/** The password hash of an invited account until its user sets one: of random bytes nobody knows, so no password matches it. */
export function unusablePasswordHash(): Promise<string> {
  return hashPassword(randomBytes(32).toString('base64'));
}

/** A session that was ended in a transaction; forgotten by the principal cache once that transaction commits. */
function toUserDto(row: UserRow, invitedUntil?: Date): UserDto {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    invitedUntil: invitedUntil ? invitedUntil.toISOString() : null,
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
    private readonly invitations: InvitationRepository,
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
    const invited = await this.invitations.openUntil(
      this.dataSource.manager,
      rows.slice(0, limit).map((row) => row.id),
    );
    return toPage(
      rows,
      limit,
      (row) => toUserDto(row, invited.get(row.id)),
      (row) => [row.email],
    );
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
    return toUserDto(user);
  }

  async update(admin: Principal, userId: string, change: UpdateUserDto, meta: RequestMeta): Promise<UserDto> {
    const refusal = accountChangeRefusal(admin, userId, change);
    if (refusal && change.role === Role.PlatformAdmin) throw Problem.forbidden(refusal);
    if (change.role) assertRoleFits(change.role, admin.organisationType);
    if (refusal) {
      await this.audit.recordNow({
        action: AuditAction.UserUpdate,
        outcome: 'denied',
        actor: admin,
        sections: changedFields(change),
        justification: adminTarget('user', admin.userId),
        meta,
      });
      throw Problem.forbidden(refusal);
    }
    const { user, ended, invitedUntil } = await this.dataSource.transaction(async (manager) => {
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
      // A deactivated account's open invitation dies with it (redeem refuses inactive users too).
      if (!nextActive)
        await manager.query(`UPDATE user_invitation SET revoked_at = now(), token_nonce = NULL WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL`, [
          userId,
        ]);
      const open = await this.invitations.openUntil(manager, [userId]);
      return {
        user: next,
        ended: [...endedSessions, ...relabelled.map((session) => ({ userId, sessionId: session.id }))],
        invitedUntil: open.get(userId),
      };
    });
    this.forgetSessions(ended);
    return toUserDto(user, invitedUntil);
  }

  /**
   * Creates an account without a password and e-mails its user a one-time set-password link
   * (valid 72 hours), audited as user.invite. The account cannot sign in until the link is used.
   * The e-mail is queued by the worker from the committed invitation (InvitationEmailScheduler),
   * so the answer is 201 even while Redis is down: nothing is lost, the e-mail goes out once
   * Redis is back, and a 503 would only make the admin retry into 409 email-taken.
   */
  async invite(admin: Principal, input: InviteUserDto, meta: RequestMeta): Promise<UserDto> {
    if (input.role === Role.PlatformAdmin) throw Problem.forbidden('An organisation admin cannot create platform admins');
    assertRoleFits(input.role, admin.organisationType);
    const unusable = await unusablePasswordHash();
    const { user } = await this.dataSource.transaction((manager) =>
      this.inviteAccount(manager, admin.organisationId, input, input.role, unusable, admin, meta),
    );
    return user;
  }

  /**
   * Inside the caller's transaction (a new organisation's first admin commits with it): the
   * account, its invitation and the user.invite event. The worker queues the e-mail once it commits.
   */
  async inviteAccount(
    manager: EntityManager,
    organisationId: string,
    input: Pick<NewAccountDto, 'email' | 'name'>,
    role: Role,
    unusableHash: string,
    actor: Principal,
    meta: RequestMeta,
  ): Promise<{ user: UserDto; invitation: { id: string; expiresAt: Date } }> {
    const user = await this.insertAccount(manager, organisationId, input, role, unusableHash);
    const invitation = await this.invitations.create(manager, user.id, actor.userId);
    await this.audit.record(manager, { action: AuditAction.UserInvite, outcome: 'allowed', actor, justification: adminTarget('user', user.id), meta });
    return { user: toUserDto(user, invitation.expiresAt), invitation };
  }

  /** A new link for an active user of the admin's organisation (the old one stops working), audited as user.invite. */
  async reinvite(admin: Principal, userId: string, meta: RequestMeta): Promise<UserDto> {
    const { user, invitation } = await this.dataSource.transaction(async (manager) => {
      const rows: UserRow[] = await manager.query(`SELECT ${USER_COLUMNS} FROM "user" WHERE id = $1 AND organisation_id = $2 FOR UPDATE`, [
        userId,
        admin.organisationId,
      ]);
      const current = rows[0];
      if (!current) throw Problem.notFound('No such user in your organisation');
      if (!current.active) throw Problem.conflict('user-inactive', 'Reactivate the account before inviting its user again');
      if (current.role === Role.PlatformAdmin) throw Problem.forbidden('An organisation admin cannot change platform admins');
      const created = await this.invitations.create(manager, userId, admin.userId);
      await this.audit.record(manager, { action: AuditAction.UserInvite, outcome: 'allowed', actor: admin, justification: adminTarget('user', userId), meta });
      return { user: current, invitation: created };
    });
    return toUserDto(user, invitation.expiresAt);
  }

  /**
   * Redeems a set-password token (public): the password is set, the invitation used up, any
   * session of the account ended, and the change audited as user.update [password] by the user.
   */
  async setPassword(input: SetPasswordDto, meta: RequestMeta): Promise<void> {
    const passwordHash = await hashPassword(input.password);
    const ended = await this.dataSource.transaction(async (manager) => {
      const { userId } = await this.invitations.redeem(manager, input.token);
      const rows: Array<{ organisation_id: string; role: Role }> = await manager.query(
        `UPDATE "user" SET password_hash = $2, updated_at = now() WHERE id = $1 RETURNING organisation_id, role`,
        [userId, passwordHash],
      );
      const user = rows[0]!;
      const endedSessions = await this.endSessions(manager, { userId });
      await this.audit.record(manager, {
        action: AuditAction.UserUpdate,
        outcome: 'allowed',
        actor: { userId, organisationId: user.organisation_id, role: user.role },
        sections: ['password'],
        justification: adminTarget('user', userId),
        meta,
      });
      return endedSessions;
    });
    this.forgetSessions(ended);
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

  private async insertAccount(
    manager: EntityManager,
    organisationId: string,
    input: Pick<NewAccountDto, 'email' | 'name'>,
    role: Role,
    passwordHash: string,
  ): Promise<UserRow> {
    try {
      const rows: UserRow[] = await manager.query(
        `INSERT INTO "user" (organisation_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
        [organisationId, input.email, input.name, role, passwordHash],
      );
      return rows[0]!;
    } catch (error) {
      if (uniqueViolation(error) === 'user_email_key') throw Problem.conflict('email-taken', 'An account with this e-mail address already exists');
      throw error;
    }
  }
}
