import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

const ISSUER = 'passage';
const AUDIENCE = 'passage-api';
const ALGORITHM = 'HS256';

export interface AccessClaims {
  sub: string;
  sid: string;
}

/** Signs and checks access tokens (algorithm pinned, issuer and audience checked) and makes refresh tokens. */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // A KeyObject, not a Buffer: given a Buffer, jsonwebtoken first tries (and fails) to parse it
    // as a public key on every verification, which made each request's token check 25 times slower.
    this.jwt = new JwtService({ secret: createSecretKey(config.jwtSecret) });
  }

  get accessTtlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  signAccess(userId: string, sessionId: string): Promise<string> {
    return this.jwt.signAsync(
      { sid: sessionId },
      {
        algorithm: ALGORITHM,
        issuer: ISSUER,
        audience: AUDIENCE,
        subject: userId,
        expiresIn: this.config.accessTokenTtlSeconds,
      },
    );
  }

  /** The claims of a valid token, or undefined for any bad, expired or foreign token. */
  async verifyAccess(token: string): Promise<AccessClaims | undefined> {
    try {
      const claims = await this.jwt.verifyAsync<{ sub?: unknown; sid?: unknown; exp?: unknown }>(token, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      // jsonwebtoken checks `exp` only when present; a token without one would never expire.
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return undefined;
      return { sub: claims.sub, sid: claims.sid };
    } catch {
      return undefined;
    }
  }

  /** An opaque refresh token; only its hash is stored. */
  newRefreshToken(): { token: string; hash: Buffer } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: TokenService.hashRefreshToken(token) };
  }

  static hashRefreshToken(token: string): Buffer {
    return createHash('sha256').update(token, 'utf8').digest();
  }
}
