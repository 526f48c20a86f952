import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { StatisticsController } from './statistics.controller';
import { StatisticsService } from './statistics.service';

/** Statistics and the CTDC export, from the rollups the database maintains (migration StatisticsRollups). */
@Module({
  imports: [TypeOrmModule.forFeature([Organisation])],
  controllers: [StatisticsController],
  providers: [StatisticsService],
})
export class StatisticsModule {}
