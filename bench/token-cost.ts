import { createSecretKey } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { TokenService } from '../src/auth/token.service';

export interface TokenCost {
  iterations: number;
  /** TokenService.verifyAccess as the application calls it on every request. */
  applicationMicros: number;
  /** The same HS256 check with the secret held as a KeyObject. */
  keyObjectMicros: number;
}

async function timePerCall(iterations: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, iterations); i += 1) await call();
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) await call();
  return ((performance.now() - started) * 1000) / iterations;
}

/**
 * Every authenticated request verifies its bearer token. jsonwebtoken first tries to parse a
 * Buffer or string secret as a public key (and throws) before using it as an HMAC key; a
 * KeyObject skips that. This measures what the application pays per request against that floor.
 */
export async function measureTokenVerification(tokens: TokenService, token: string, secret: Buffer, iterations = 2_000): Promise<TokenCost> {
  if (!(await tokens.verifyAccess(token))) throw new Error('the token does not verify');
  const applicationMicros = await timePerCall(iterations, () => tokens.verifyAccess(token));
  const withKeyObject = new JwtService({ secret: createSecretKey(secret) });
  const keyObjectMicros = await timePerCall(iterations, () => withKeyObject.verifyAsync(token, { algorithms: ['HS256'] }));
  return { iterations, applicationMicros, keyObjectMicros };
}
