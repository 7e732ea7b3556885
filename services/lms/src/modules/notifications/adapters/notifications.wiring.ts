import type pg from 'pg';
import type { LmsConfig } from '../../../config.js';
import type { ContactDeps } from '../use-cases/contact-borrower.js';
import { createNotificationRouter } from './notification-router.js';
import { createSmtpEmailSender } from './smtp-email.adapter.js';
import { createTwilioMessagingClient } from './twilio-messaging.client.js';

/** The notification adapters from config: SMTP for email, Twilio's Messaging API for SMS and WhatsApp. */
export function notificationDeps(config: LmsConfig, pool: pg.Pool): ContactDeps & { close(): void } {
  const email = createSmtpEmailSender({
    host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE, user: config.SMTP_USER, password: config.SMTP_PASSWORD,
    from: config.NOTIFY_EMAIL_FROM, messageIdDomain: config.NOTIFY_MESSAGE_ID_DOMAIN, timeoutMs: config.SMTP_TIMEOUT_MS,
  });
  const messaging = createTwilioMessagingClient({
    baseUrl: config.TWILIO_BASE_URL, accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, smsFrom: config.TWILIO_SMS_FROM,
    whatsappFrom: config.TWILIO_WHATSAPP_FROM, statusCallbackUrl: config.TWILIO_STATUS_CALLBACK_URL, timeoutMs: config.TWILIO_TIMEOUT_MS,
  });
  return {
    pool,
    notifications: createNotificationRouter(email, messaging),
    newId: () => crypto.randomUUID(),
    lenderName: () => config.NOTIFY_LENDER_NAME,
    defaultLanguage: config.NOTIFY_DEFAULT_LANGUAGE,
    close: () => email.close(),
  };
}
