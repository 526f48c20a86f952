import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { EmailHandler } from './email.handler';
import { EventFanOutHandler } from './event-fan-out.handler';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { Mailer } from './mailer';
import { RecipientResolver } from './recipients';
import { WebhookDeliveryHandler } from './webhook-delivery.handler';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** The API side: inbox, webhook registration and delivery log. */
@Module({
  controllers: [InboxController, WebhooksController],
  providers: [InboxService, WebhooksService],
})
export class NotificationsModule {}

/**
 * The worker side: outbox relay, deadline scheduler and the job handlers. `caseVisibility` binds
 * CASE_VISIBILITY, the rule for who may see a case when a notification is delivered.
 */
@Module({})
export class NotificationsWorkerModule {
  static forRoot(caseVisibility: Provider): DynamicModule {
    return {
      module: NotificationsWorkerModule,
      providers: [caseVisibility, RecipientResolver, Mailer, EventFanOutHandler, EmailHandler, WebhookDeliveryHandler],
    };
  }
}
