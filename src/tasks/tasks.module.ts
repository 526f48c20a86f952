import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { TaskDeadlines } from './task-deadlines';
import { TaskLifecycle } from './task-lifecycle';
import { TaskRepository } from './task.repository';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

/** Tasks on cases and their due reminders (task.due, fired in the worker): the owner of case_task. */
@Module({
  imports: [CasesModule],
  controllers: [TasksController],
  providers: [TasksService, TaskRepository, TaskDeadlines, TaskLifecycle],
})
export class TasksModule {}
