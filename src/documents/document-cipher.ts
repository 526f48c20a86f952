import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const TAG_BYTES = 16;
/** Content is encrypted and stored in pieces of this size, so a download streams without holding the file in memory. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Encryption with a document's own data key. Each chunk's nonce is its index (unique, since the
 * key is used for this one document only), and the associated data names the document, the
 * index and whether it is the last chunk, so chunks cannot be swapped, moved, or cut off.
 */
export class DocumentCipher {
  private constructor(readonly dataKey: Buffer) {}

  static generate(): DocumentCipher {
    return new DocumentCipher(randomBytes(32));
  }

  static withKey(dataKey: Buffer): DocumentCipher {
    if (dataKey.length !== 32) throw new Error('a document data key is 32 bytes');
    return new DocumentCipher(dataKey);
  }

  encryptContent(documentId: string, content: Buffer): Buffer[] {
    const count = Math.max(1, Math.ceil(content.length / CHUNK_BYTES));
    const chunks: Buffer[] = [];
    for (let seq = 0; seq < count; seq += 1) {
      const cipher = createCipheriv(ALGORITHM, this.dataKey, chunkNonce(seq));
      cipher.setAAD(chunkAssociatedData(documentId, seq, seq === count - 1));
      const body = Buffer.concat([cipher.update(content.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES)), cipher.final()]);
      chunks.push(Buffer.concat([cipher.getAuthTag(), body]));
    }
    return chunks;
  }

  decryptChunk(documentId: string, seq: number, last: boolean, chunk: Buffer): Buffer {
    const decipher = createDecipheriv(ALGORITHM, this.dataKey, chunkNonce(seq));
    decipher.setAAD(chunkAssociatedData(documentId, seq, last));
    decipher.setAuthTag(chunk.subarray(0, TAG_BYTES));
    return Buffer.concat([decipher.update(chunk.subarray(TAG_BYTES)), decipher.final()]);
  }

  /** Small values (the file name and digest): a random nonce, the document id as associated data. */
  sealMetadata(documentId: string, value: unknown): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.dataKey, nonce);
    cipher.setAAD(Buffer.from(`document:${documentId}:metadata`, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  }

  openMetadata<T>(documentId: string, sealed: Buffer): T {
    const decipher = createDecipheriv(ALGORITHM, this.dataKey, sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(`document:${documentId}:metadata`, 'utf8'));
    decipher.setAuthTag(sealed.subarray(12, 12 + TAG_BYTES));
    return JSON.parse(Buffer.concat([decipher.update(sealed.subarray(12 + TAG_BYTES)), decipher.final()]).toString('utf8')) as T;
  }
}

function chunkNonce(seq: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(seq, 8);
  return nonce;
}

function chunkAssociatedData(documentId: string, seq: number, last: boolean): Buffer {
  return Buffer.from(`document:${documentId}:chunk:${seq}:${last ? 'last' : 'more'}`, 'utf8');
}

/** The associated data binding a wrapped data key to its document. */
export function documentKeyAssociatedData(documentId: string): string {
  return `document:${documentId}:key`;
}
