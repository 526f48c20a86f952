import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ParticipationModule } from '../participation/participation.module';
import { User } from '../users/user.entity';
import { UsersModule } from '../users/users.module';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsService } from './organisations.service';
import { Organisation } from './organisation.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Organisation, User]), UsersModule, ParticipationModule],
  controllers: [OrganisationsController],
  providers: [OrganisationsService],
  exports: [OrganisationsService],
})
export class OrganisationsModule {}
