import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Sealed, Sealer } from '../common/crypto';

/**
 * The key id stored beside a value sealed with its case's data key. A master key id
 * (DATA_ENCRYPTION_KEY) is letters, digits, '_' and '-' only, so this one can never be mistaken
 * for one: a row says by itself whether destroying the case key shreds it.
 */
export const CASE_KEY_ID = '@case';

/** Binds a wrapped case data key to its case. */
export function caseKeyAssociatedData(caseId: string): string {
  return `case:${caseId}:data-key`;
}

/** The case's data key was destroyed (retention): nothing sealed with it opens any more. */
export class CaseKeyDestroyedError extends Error {
  constructor() {
    super('the data key of this case has been destroyed');
  }
}

/**
 * Seals and opens one case's values. New values go under the case's data key; values written
 * before per-case keys existed (a master key id beside them) still open with the master keys
 * until the upgrade re-seals them (`npm run db:migrate`, ADR 0009).
 */
export class CaseCipher {
  private readonly caseSealer?: Sealer;

  constructor(
    private readonly master: Sealer,
    dataKey: Buffer | undefined,
  ) {
    if (dataKey) this.caseSealer = new Sealer([{ id: CASE_KEY_ID, key: dataKey }]);
  }

  seal(plaintext: Buffer, associatedData: string): Sealed {
    if (!this.caseSealer) throw new CaseKeyDestroyedError();
    return this.caseSealer.seal(plaintext, associatedData);
  }

  open(sealed: Sealed, associatedData: string): Buffer {
    if (sealed.keyId !== CASE_KEY_ID) return this.master.open(sealed, associatedData);
    if (!this.caseSealer) throw new CaseKeyDestroyedError();
    return this.caseSealer.open(sealed, associatedData);
  }

  sealJson(value: unknown, associatedData: string): Sealed {
    return this.seal(Buffer.from(JSON.stringify(value), 'utf8'), associatedData);
  }

  openJson<T>(sealed: Sealed, associatedData: string): T {
    return JSON.parse(this.open(sealed, associatedData).toString('utf8')) as T;
  }
}

/**
 * The only writer of `case_key`: one random 256-bit data key per case, stored wrapped by the
 * master key (DATA_ENCRYPTION_KEY), so `keys:rotate` re-wraps these small rows and never touches
 * the data. Retention deletes the row, which shreds every copy of the case's sealed values,
 * backups included. Keys are unwrapped per use and never cached, so a destroyed key is gone from
 * every process at once.
 */
@Injectable()
export class CaseKeysService {
  constructor(private readonly sealer: Sealer) {}

  /** For reading: opens new values with the case key (if it still exists) and older ones with the master keys. */
  async cipherFor(manager: EntityManager, caseId: string): Promise<CaseCipher> {
    return new CaseCipher(this.sealer, await this.dataKey(manager, caseId));
  }

  /**
   * For writing: the case's key, made now for a case that predates per-case keys. The caller holds
   * the case lock (CaseCommand), and ON CONFLICT keeps a concurrent first write to one key.
   */
  async cipherForWrite(manager: EntityManager, caseId: string): Promise<CaseCipher> {
    const existing = await this.dataKey(manager, caseId);
    if (existing) return new CaseCipher(this.sealer, existing);
    const wrapped = this.sealer.seal(randomBytes(32), caseKeyAssociatedData(caseId));
    await manager.query(`INSERT INTO case_key (case_id, key_id, wrapped_key) VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING`, [
      caseId,
      wrapped.keyId,
      wrapped.ciphertext,
    ]);
    return new CaseCipher(this.sealer, await this.dataKey(manager, caseId));
  }

  /** Crypto-shredding: the wrapped key is deleted; what it sealed can no longer be opened by anyone. */
  async destroy(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(`DELETE FROM case_key WHERE case_id = $1`, [caseId]);
  }

  private async dataKey(manager: EntityManager, caseId: string): Promise<Buffer | undefined> {
    const rows: Array<{ key_id: string; wrapped_key: Buffer }> = await manager.query(`SELECT key_id, wrapped_key FROM case_key WHERE case_id = $1`, [caseId]);
    const row = rows[0];
    return row ? this.sealer.open({ keyId: row.key_id, ciphertext: row.wrapped_key }, caseKeyAssociatedData(caseId)) : undefined;
  }
}
