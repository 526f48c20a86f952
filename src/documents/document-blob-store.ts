import type { EntityManager } from 'typeorm';

/**
 * Where the encrypted content of documents lives. It only ever sees ciphertext chunks, in order;
 * the database implementation is the default, an S3-compatible one would implement the same.
 * `manager` is the transaction that records the document: a store inside the database writes in
 * it (so a rolled-back upload leaves nothing), a store outside it may ignore it.
 */
export interface DocumentBlobStore {
  write(manager: EntityManager, blobId: string, chunks: readonly Buffer[]): Promise<void>;
  /** Chunk `seq` of the blob, or undefined when it is missing. */
  readChunk(blobId: string, seq: number): Promise<Buffer | undefined>;
}

export const DOCUMENT_BLOB_STORE = Symbol('DOCUMENT_BLOB_STORE');
