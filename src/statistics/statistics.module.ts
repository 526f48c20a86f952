import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CasesModule } from '../cases/cases.module';
import { Organisation } from '../organisations/organisation.entity';
import { StatisticsLifecycle } from './statistics-lifecycle';
import { StatisticsController } from './statistics.controller';
import { StatisticsService } from './statistics.service';

/** Statistics and the CTDC export, from the rollups the database maintains (migration StatisticsRollups). */
@Module({
  imports: [CasesModule, TypeOrmModule.forFeature([Organisation])],
  controllers: [StatisticsController],
  providers: [StatisticsService, StatisticsLifecycle],
})
export class StatisticsModule {}
