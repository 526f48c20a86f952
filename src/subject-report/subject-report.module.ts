import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CasesModule } from '../cases/cases.module';
import { DocumentsModule } from '../documents/documents.module';
import { NotesModule } from '../notes/notes.module';
import { Organisation } from '../organisations/organisation.entity';
import { SubjectReportController } from './subject-report.controller';
import { SubjectReportService } from './subject-report.service';

/** The victim's subject report (GDPR art. 15), HTML and PDF. */
@Module({
  imports: [CasesModule, NotesModule, DocumentsModule, TypeOrmModule.forFeature([Organisation])],
  controllers: [SubjectReportController],
  providers: [SubjectReportService],
})
export class SubjectReportModule {}
