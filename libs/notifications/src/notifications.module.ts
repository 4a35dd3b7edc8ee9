import { Module } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { EmailChannel } from './email.channel';
import { SmsChannel } from './sms.channel';
import { WebhookChannel } from './webhook.channel';

/** The delivery channels; the e-mail one sends through SMTP_URL as SMTP_FROM. */
@Module({
  providers: [
    WebhookChannel,
    SmsChannel,
    {
      provide: EmailChannel,
      inject: [VigieConfig],
      useFactory: (config: VigieConfig) => new EmailChannel({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM }),
    },
  ],
  exports: [WebhookChannel, SmsChannel, EmailChannel],
})
export class NotificationsModule {}
