import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/config';
import { NoteSigner } from './signed-note';

/**
 * The log's Ed25519 signer. AUDIT_SIGNING_KEY is the 32-byte private key; a longer secret from
 * milestone 1 (which signed HMAC checkpoints) is hashed down to a seed, so an existing deployment
 * keeps one key and its old HMAC checkpoints stay verifiable with it.
 */
export function auditNoteSigner(config: Pick<AppConfig, 'auditSigningKey' | 'auditLogOrigin'>): NoteSigner {
  const key = config.auditSigningKey;
  const seed = key.length === 32 ? key : createHash('sha256').update('passage audit log ed25519 seed\n').update(key).digest();
  return new NoteSigner(config.auditLogOrigin, seed);
}
