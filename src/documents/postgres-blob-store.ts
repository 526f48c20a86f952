import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { DocumentBlobStore } from './document-blob-store';

/** Blobs as rows of 1 MiB ciphertext chunks in document_blob_chunk, written in the caller's transaction. */
@Injectable()
export class PostgresBlobStore implements DocumentBlobStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async write(manager: EntityManager, blobId: string, chunks: readonly Buffer[]): Promise<void> {
    // One chunk per statement keeps each bind message at about a megabyte.
    for (const [seq, data] of chunks.entries()) {
      await manager.query(`INSERT INTO document_blob_chunk (blob_id, seq, data) VALUES ($1, $2, $3)`, [blobId, seq, data]);
    }
  }

  async readChunk(blobId: string, seq: number): Promise<Buffer | undefined> {
    const rows: Array<{ data: Buffer }> = await this.dataSource.query(`SELECT data FROM document_blob_chunk WHERE blob_id = $1 AND seq = $2`, [blobId, seq]);
    return rows[0]?.data;
  }
}
