import { Global, Module } from '@nestjs/common';
import { OutboxService } from './outbox.service';

/** Global: every feature that changes state emits its domain events through the one outbox. */
@Global()
@Module({ providers: [OutboxService], exports: [OutboxService] })
export class OutboxModule {}
