import { Module } from '@nestjs/common';
import { OutboxWorkerModule } from '../outbox/outbox.module';
import { MeController } from './me.controller';
import { InvitationEmailScheduler } from './invitation-email-scheduler';
import { InvitationRepository } from './invitation.repository';
import { SetPasswordController, UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController, MeController, SetPasswordController],
  providers: [UsersService, InvitationRepository],
  exports: [UsersService],
})
export class UsersModule {}

/** The worker side: the scheduler that queues each invitation's e-mail from the table (the API never waits on Redis). */
@Module({ imports: [OutboxWorkerModule], providers: [InvitationEmailScheduler] })
export class UsersWorkerModule {}
