import { Global, Module } from '@nestjs/common';
import { OutboxService } from './outbox.service';
import { QueueStatusService } from './queue-status.service';

/** Global: every feature that changes state emits its domain events through the one outbox. */
@Global()
@Module({ providers: [OutboxService, QueueStatusService], exports: [OutboxService, QueueStatusService] })
export class OutboxModule {}
