import { Global, Module } from '@nestjs/common';
import { DeadlinesService } from './deadlines.service';

/** Global, like the outbox: the features that start a clock schedule and cancel deadlines in their own transactions. */
@Global()
@Module({ providers: [DeadlinesService], exports: [DeadlinesService] })
export class DeadlinesModule {}
