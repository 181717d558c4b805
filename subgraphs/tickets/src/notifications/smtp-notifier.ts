import nodemailer from 'nodemailer';
import type { Notification, Notifier } from './notifier.js';

export interface SmtpOptions {
  /** smtp://user:pass@host:port or smtps://... */
  url: string;
  from: string;
  /** The recipient address for a user: `{userId}` is replaced. */
  recipient: string;
}

/**
 * E-mails notifications through an SMTP server (nodemailer), used when SMTP_URL is set. The
 * Message-ID derives from the notification id, so a resent message can be recognised.
 */
export class SmtpNotifier implements Notifier {
  private readonly transport: nodemailer.Transporter;

  constructor(private readonly options: SmtpOptions) {
    this.transport = nodemailer.createTransport(options.url);
  }

  async send(notification: Notification): Promise<void> {
    await this.transport.sendMail({
      from: this.options.from,
      to: this.options.recipient.replaceAll('{userId}', notification.userId),
      subject: notification.subject,
      text: notification.body,
      messageId: `<${notification.id}@tickets.marquee>`,
      headers: { 'X-Marquee-Event': notification.eventId, 'X-Marquee-Kind': notification.kind },
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
