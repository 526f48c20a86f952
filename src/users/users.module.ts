import { Module } from '@nestjs/common';
import { MeController } from './me.controller';
import { InvitationRepository } from './invitation.repository';
import { SetPasswordController, UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController, MeController, SetPasswordController],
  providers: [UsersService, InvitationRepository],
  exports: [UsersService],
})
export class UsersModule {}
