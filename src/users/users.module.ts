import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { MeController } from './me.controller';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { UserDirectory } from './user-directory';

@Module({
  controllers: [UsersController, MeController, DirectoryController],
  providers: [UsersService, UserDirectory],
  exports: [UsersService],
})
export class UsersModule {}
