import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { DOCUMENT_BLOB_STORE } from './document-blob-store';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { PostgresBlobStore } from './postgres-blob-store';

/** Documents of a case: the owner of case_document and (through the PostgreSQL blob store) document_blob_chunk. */
@Module({
  imports: [CasesModule],
  controllers: [DocumentsController],
  providers: [DocumentsService, { provide: DOCUMENT_BLOB_STORE, useClass: PostgresBlobStore }],
  exports: [DocumentsService],
})
export class DocumentsModule {}
