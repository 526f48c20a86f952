import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config/config';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  keyId: string;
  /** nonce (12) | auth tag (16) | ciphertext */
  ciphertext: Buffer;
}

/**
 * AES-256-GCM for sensitive sections. A fresh random nonce per write; the key id travels with
 * the ciphertext so old rows stay readable after rotation; the associated data binds a
 * ciphertext to its row (case id and section), so it cannot be moved to another case.
 */
export class Sealer {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('at least one encryption key is required');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  seal(plaintext: Buffer, associatedData: string): Sealed {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys[0]!.key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId: this.keys[0]!.id, ciphertext: Buffer.concat([nonce, cipher.getAuthTag(), body]) };
  }

  open(sealed: Sealed, associatedData: string): Buffer {
    const key = this.byId.get(sealed.keyId);
    if (!key) throw new Error(`encryption key "${sealed.keyId}" is not configured`);
    const nonce = sealed.ciphertext.subarray(0, NONCE_BYTES);
    const tag = sealed.ciphertext.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES);
    const body = sealed.ciphertext.subarray(NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, key, nonce);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  }

  sealJson(value: unknown, associatedData: string): Sealed {
    return this.seal(Buffer.from(JSON.stringify(value), 'utf8'), associatedData);
  }

  openJson<T>(sealed: Sealed, associatedData: string): T {
    return JSON.parse(this.open(sealed, associatedData).toString('utf8')) as T;
  }
}
