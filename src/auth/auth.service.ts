import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { Problem } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { Role } from '../access/role';
import { dummyPasswordHash, verifyPassword } from './password';
import type { RequestMeta } from '../access/principal';
import { PrincipalLoader } from './principal.loader';
import { TokenService } from './token.service';

export const LOCKOUT_FAILURES = 5;
export const LOCKOUT_WINDOW_SECONDS = 15 * 60;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

interface CredentialRow {
  id: string;
  organisation_id: string;
  role: Role;
  password_hash: string;
  usable: boolean;
}

const INVALID_CREDENTIALS = 'The e-mail or password is wrong';

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly principals: PrincipalLoader,
  ) {}

  /**
   * Same answer and about the same time for an unknown e-mail, a wrong password or an inactive account.
   *
   * The lockout is atomic: each attempt first takes one of the account's LOCKOUT_FAILURES slots
   * (a login_failure row, written under a per-account lock) and only then runs the slow password
   * check. A burst of concurrent guesses therefore gets at most that many checks; the rest are
   * refused before any verification, the right password included. A wrong password leaves its
   * row as the failure; a right one removes only its own row, never the failures of others, so a
   * success cannot wipe a lockout in progress.
   */
  async login(email: string, password: string, meta: RequestMeta): Promise<TokenPair> {
    const attemptId = await this.reserveAttempt(email);
    const rows: CredentialRow[] = await this.dataSource.query(
      `SELECT u.id, u.organisation_id, u.role, u.password_hash, (u.active AND o.active) AS usable
         FROM "user" u JOIN organisation o ON o.id = u.organisation_id WHERE u.email = $1`,
      [email],
    );
    const user = rows[0];
    const valid = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password);
    if (!user || !valid || !user.usable) {
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, {
          action: AuditAction.LoginFailed,
          outcome: 'denied',
          actor: user ? { userId: user.id, organisationId: user.organisation_id, role: user.role } : null,
          meta,
        }),
      );
      throw Problem.unauthorized(INVALID_CREDENTIALS);
    }
    return this.dataSource.transaction(async (manager) => {
      const sessions: Array<{ id: string }> = await manager.query(
        `INSERT INTO auth_session (user_id, expires_at) VALUES ($1, now() + make_interval(secs => $2)) RETURNING id`,
        [user.id, this.config.refreshTokenTtlSeconds],
      );
      const pair = await this.issue(manager, user.id, sessions[0]!.id);
      await manager.query(`DELETE FROM login_failure WHERE id = $1`, [attemptId]);
      await this.audit.record(manager, {
        action: AuditAction.Login,
        outcome: 'allowed',
        actor: { userId: user.id, organisationId: user.organisation_id, role: user.role },
        meta,
      });
      return pair;
    });
  }

  /**
   * Rotation: a refresh token works once. Presenting one that was already used means it was
   * copied, so the whole session (every token of the family) is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const hash = TokenService.hashRefreshToken(refreshToken);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; session_id: string; user_id: string; used: boolean; live: boolean }> = await manager.query(
        `SELECT t.id, t.session_id, s.user_id, t.used_at IS NOT NULL AS used,
                (t.expires_at > now() AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active AND o.active) AS live
           FROM refresh_token t
           JOIN auth_session s ON s.id = t.session_id
           JOIN "user" u ON u.id = s.user_id
           JOIN organisation o ON o.id = u.organisation_id
          WHERE t.token_hash = $1
          FOR UPDATE OF t, s`,
        [hash],
      );
      const token = rows[0];
      if (!token) return undefined;
      if (token.used) {
        await manager.query(`UPDATE auth_session SET revoked_at = now(), revoked_reason = 'reuse' WHERE id = $1 AND revoked_at IS NULL`, [token.session_id]);
        this.principals.forget(token.user_id, token.session_id);
        return 'reused' as const;
      }
      if (!token.live) return undefined;
      await manager.query(`UPDATE refresh_token SET used_at = now() WHERE id = $1`, [token.id]);
      return this.issue(manager, token.user_id, token.session_id);
    });
    if (!outcome || outcome === 'reused') throw Problem.unauthorized('The refresh token is invalid, expired or revoked');
    return outcome;
  }

  async logout(userId: string, sessionId: string): Promise<void> {
    await this.dataSource.query(`UPDATE auth_session SET revoked_at = now(), revoked_reason = 'logout' WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, [
      sessionId,
      userId,
    ]);
    this.principals.forget(userId, sessionId);
  }

  private async issue(manager: EntityManager, userId: string, sessionId: string): Promise<TokenPair> {
    const refresh = this.tokens.newRefreshToken();
    await manager.query(`INSERT INTO refresh_token (session_id, token_hash, expires_at) SELECT $1, $2, expires_at FROM auth_session WHERE id = $1`, [
      sessionId,
      refresh.hash,
    ]);
    return { accessToken: await this.tokens.signAccess(userId, sessionId), refreshToken: refresh.token, expiresIn: this.tokens.accessTtlSeconds };
  }

  /**
   * Takes a slot for one sign-in attempt, or answers 429 when the account's slots of the window
   * are used up. The transaction-scoped advisory lock (per normalised e-mail, known or not)
   * makes the count and the insert one step for concurrent attempts.
   */
  private async reserveAttempt(email: string): Promise<string> {
    const outcome: { attemptId: string } | { lockedUntil: number } = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('passage:login:' || lower($1), 0))`, [email]);
      const rows: Array<{ attempts: number; oldest: Date | null }> = await manager.query(
        `SELECT count(*)::int AS attempts, min(at) AS oldest FROM login_failure
          WHERE email = $1 AND at > now() - make_interval(secs => $2)`,
        [email, LOCKOUT_WINDOW_SECONDS],
      );
      const { attempts, oldest } = rows[0]!;
      if (attempts >= LOCKOUT_FAILURES && oldest) return { lockedUntil: oldest.getTime() + LOCKOUT_WINDOW_SECONDS * 1000 };
      const inserted: Array<{ id: string }> = await manager.query(`INSERT INTO login_failure (email) VALUES ($1) RETURNING id::text AS id`, [email]);
      return { attemptId: inserted[0]!.id };
    });
    if ('lockedUntil' in outcome) {
      throw Problem.tooManyRequests('Too many failed sign-ins for this account; try again later', (outcome.lockedUntil - Date.now()) / 1000);
    }
    return outcome.attemptId;
  }
}
