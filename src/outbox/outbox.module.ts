import { Global, Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay';
import { OutboxService } from './outbox.service';
import { PgListener } from './pg-listener';

/** Global: every feature that changes state emits its domain events through the one outbox. */
@Global()
@Module({ providers: [OutboxService], exports: [OutboxService] })
export class OutboxModule {}

/** The worker side: the relay from outbox rows to the fan-out queue, and the LISTEN connection it shares with the deadline scheduler. */
@Module({ providers: [PgListener, OutboxRelay], exports: [PgListener] })
export class OutboxWorkerModule {}
