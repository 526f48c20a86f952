import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Problem } from '../common/problem';
import type { Language } from '../common/language';

/** API.md: a set-password invitation is valid for 72 hours and works once. */
export const INVITATION_TTL_MS = 72 * 3_600_000;

/** What the e-mail of an invitation needs; the token exists only in memory, derived for this one message. */
export interface InvitationEmail {
  email: string;
  language: Language;
  token: string;
  expiresAt: Date;
}

export function hashInvitationToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Set-password invitations (table user_invitation). The token is never stored: the row keeps its
 * SHA-256 (to redeem it) and a random nonce from which the worker derives it once, with a key
 * derived from the server's JWT secret, to put it in the e-mail; the nonce is then cleared, so
 * after that not even the database and the key together can produce the token again.
 */
@Injectable()
export class InvitationRepository {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.jwtSecret, Buffer.alloc(0), 'passage set-password invitation v1', 32));
  }

  private tokenFor(nonce: Buffer): string {
    return createHmac('sha256', this.key).update(nonce).digest('base64url');
  }

  /** A new invitation for the user; any earlier open one stops working (only the newest link counts). */
  async create(manager: EntityManager, userId: string, createdBy: string): Promise<{ id: string; expiresAt: Date }> {
    await manager.query(`UPDATE user_invitation SET revoked_at = now(), token_nonce = NULL WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL`, [
      userId,
    ]);
    const nonce = randomBytes(32);
    const rows: Array<{ id: string; expires_at: Date }> = await manager.query(
      `INSERT INTO user_invitation (user_id, token_hash, token_nonce, created_by, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id, expires_at`,
      [userId, hashInvitationToken(this.tokenFor(nonce)), nonce, createdBy, INVITATION_TTL_MS / 1000],
    );
    return { id: rows[0]!.id, expiresAt: rows[0]!.expires_at };
  }

  /**
   * The e-mail of an invitation not yet sent, locked until the caller's transaction ends (so two
   * runs of the job cannot both send it); null when there is nothing to send any more.
   */
  async pendingEmail(manager: EntityManager, invitationId: string): Promise<InvitationEmail | null> {
    const rows: Array<{ token_hash: Buffer; token_nonce: Buffer; expires_at: Date; email: string; language: Language }> = await manager.query(
      `SELECT i.token_hash, i.token_nonce, i.expires_at, u.email, u.language
         FROM user_invitation i JOIN "user" u ON u.id = i.user_id
        WHERE i.id = $1 AND i.token_nonce IS NOT NULL AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now() AND u.active
        FOR UPDATE OF i`,
      [invitationId],
    );
    const row = rows[0];
    if (!row) return null;
    const token = this.tokenFor(row.token_nonce);
    // A key that changed since the invitation was made would e-mail a link that cannot work.
    if (!timingSafeEqual(hashInvitationToken(token), row.token_hash)) return null;
    return { email: row.email, language: row.language, token, expiresAt: row.expires_at };
  }

  async markEmailed(manager: EntityManager, invitationId: string): Promise<void> {
    await manager.query(`UPDATE user_invitation SET token_nonce = NULL, emailed_at = now() WHERE id = $1`, [invitationId]);
  }

  /**
   * Uses up the invitation the token belongs to and returns its user. An unknown token is 400;
   * one already used, replaced by a newer invitation, or past its 72 hours is 410.
   */
  async redeem(manager: EntityManager, token: string): Promise<{ userId: string }> {
    const rows: Array<{ id: string; user_id: string; used_at: Date | null; revoked_at: Date | null; expired: boolean; active: boolean }> = await manager.query(
      `SELECT i.id, i.user_id, i.used_at, i.revoked_at, i.expires_at <= now() AS expired, u.active
         FROM user_invitation i JOIN "user" u ON u.id = i.user_id WHERE i.token_hash = $1 FOR UPDATE OF i`,
      [hashInvitationToken(token)],
    );
    const row = rows[0];
    if (!row) throw Problem.badRequest('This set-password link is not valid', [{ path: 'token', message: 'is not a valid invitation' }]);
    if (row.used_at) throw Problem.gone('invitation-used', 'This set-password link has already been used; sign in, or ask your admin for a new link');
    if (row.revoked_at || !row.active)
      throw Problem.gone('invitation-revoked', 'This set-password link was replaced or withdrawn; ask your admin for a new link');
    if (row.expired) throw Problem.gone('invitation-expired', 'This set-password link has expired; ask your admin for a new one');
    await manager.query(`UPDATE user_invitation SET used_at = now(), token_nonce = NULL WHERE id = $1`, [row.id]);
    return { userId: row.user_id };
  }

  /** When each listed user's open invitation runs out (absent: none open). */
  async openUntil(manager: EntityManager, userIds: readonly string[]): Promise<Map<string, Date>> {
    if (userIds.length === 0) return new Map();
    const rows: Array<{ user_id: string; expires_at: Date }> = await manager.query(
      `SELECT user_id, max(expires_at) AS expires_at FROM user_invitation WHERE user_id = ANY($1::uuid[]) AND used_at IS NULL AND revoked_at IS NULL GROUP BY user_id`,
      [userIds],
    );
    return new Map(rows.map((row) => [row.user_id, row.expires_at]));
  }
}
