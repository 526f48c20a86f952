import { Module } from '@nestjs/common';
import { UserCaseVisibility } from '../access/user-case-visibility';
import { CASE_VISIBILITY } from './case-visibility';
import { EmailHandler } from './email.handler';
import { EventFanOutHandler } from './event-fan-out.handler';
import { InvitationEmailHandler } from './invitation-email.handler';
import { InvitationRepository } from '../users/invitation.repository';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { InboxSignals } from './inbox-signals';
import { InboxStreams } from './inbox-stream';
import { Mailer } from './mailer';
import { RecipientResolver } from './recipients';
import { WebhookDeliveryHandler } from './webhook-delivery.handler';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** The API side: inbox and its live stream, webhook registration and delivery log. */
@Module({
  controllers: [InboxController, WebhooksController],
  providers: [InboxService, InboxSignals, InboxStreams, WebhooksService],
})
export class NotificationsModule {}

/**
 * The worker side: the job handlers. Recipients are chosen with the API's own rules
 * (UserCaseVisibility behind CASE_VISIBILITY), so a notification goes to exactly those who may see the case.
 */
@Module({
  providers: [
    { provide: CASE_VISIBILITY, useExisting: UserCaseVisibility },
    RecipientResolver,
    Mailer,
    EventFanOutHandler,
    EmailHandler,
    InvitationRepository,
    InvitationEmailHandler,
    WebhookDeliveryHandler,
  ],
})
export class NotificationsWorkerModule {}
