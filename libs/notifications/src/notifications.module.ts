import { Logger, Module } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { EmailChannel } from './email.channel';
import { SmsChannel } from './sms.channel';
import { WebhookChannel } from './webhook.channel';

/** The delivery channels; the e-mail one sends through SMTP_URL as SMTP_FROM (see EmailChannel without it). */
@Module({
  providers: [
    WebhookChannel,
    SmsChannel,
    {
      provide: EmailChannel,
      inject: [VigieConfig],
      useFactory: (config: VigieConfig) => {
        const outboxDir = config.NODE_ENV === 'development' ? config.VIGIE_EMAIL_OUTBOX_DIR : undefined;
        describeEmail(config, outboxDir);
        return new EmailChannel({ smtpUrl: config.SMTP_URL, outboxDir, from: config.SMTP_FROM });
      },
    },
  ],
  exports: [WebhookChannel, SmsChannel, EmailChannel],
})
export class NotificationsModule {}

/** Start-up says where e-mails go; a URL's password is never shown. */
function describeEmail(config: VigieConfig, outboxDir: string | undefined): void {
  const logger = new Logger('Email');
  if (config.SMTP_URL) {
    const url = new URL(config.SMTP_URL);
    logger.log(`E-mails are sent through ${url.protocol}//${url.host}`);
  } else if (outboxDir) {
    logger.log(`E-mails are written to ${outboxDir} as .eml files (SMTP_URL is not set)`);
  } else {
    const message = 'SMTP_URL is not set: e-mail notifications will fail and go to the dead-letter list';
    if (config.NODE_ENV === 'production') logger.warn(message);
    else logger.log(message);
  }
}
