import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { NoteRepository } from './note.repository';
import { NotesController } from './notes.controller';
import { NotesService } from './notes.service';

/** Notes and the contact log: the owner of case_note. */
@Module({
  imports: [CasesModule],
  controllers: [NotesController],
  providers: [NotesService, NoteRepository],
  exports: [NotesService],
})
export class NotesModule {}
