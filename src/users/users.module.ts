import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { OutboxWorkerModule } from '../outbox/outbox.module';
import { MeController } from './me.controller';
import { InvitationEmailScheduler } from './invitation-email-scheduler';
import { InvitationRepository } from './invitation.repository';
import { SetPasswordController, UsersController } from './users.controller';
import { UsersService } from './users.service';
import { UserDirectory } from './user-directory';

@Module({
  controllers: [UsersController, MeController, DirectoryController, SetPasswordController],
  providers: [UsersService, UserDirectory, InvitationRepository],
  exports: [UsersService],
})
export class UsersModule {}

/** The worker side: the scheduler that queues each invitation's e-mail from the table (the API never waits on Redis). */
@Module({ imports: [OutboxWorkerModule], providers: [InvitationEmailScheduler] })
export class UsersWorkerModule {}
