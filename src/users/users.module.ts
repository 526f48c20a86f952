import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { MeController } from './me.controller';
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
