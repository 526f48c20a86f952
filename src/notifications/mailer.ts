import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** Names the .eml file and travels as a header (X-Passage-Notification-Id or -Invitation-Id), so a message can be traced to its row. */
  trace: { kind: 'Notification' | 'Invitation'; id: string };
}

/**
 * SMTP when SMTP_URL is set; otherwise each message is written as an .eml file under
 * <varDir>/mail, so development and tests can read what would have been sent.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly transport: Transporter;
  private readonly mailDir: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.mailDir = join(config.varDir, 'mail');
    this.transport = config.smtpUrl ? createTransport(config.smtpUrl) : createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  /** Returns the message id. */
  async send(email: OutgoingEmail): Promise<string> {
    const info = (await this.transport.sendMail({
      from: this.config.mailFrom,
      to: email.to,
      subject: email.subject,
      text: email.text,
      headers: { [`X-Passage-${email.trace.kind}-Id`]: email.trace.id },
    })) as { messageId: string; message?: Buffer };
    if (!this.config.smtpUrl && info.message) {
      await mkdir(this.mailDir, { recursive: true });
      // A timestamp in the name: were a message ever sent twice, both files would be there to see.
      await writeFile(join(this.mailDir, `${Date.now()}-${email.trace.id}.eml`), info.message, { mode: 0o600 });
    }
    return info.messageId;
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
