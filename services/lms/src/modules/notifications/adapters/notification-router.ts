import type { NotificationPort } from '../ports.js';
import type { EmailSender } from './smtp-email.adapter.js';
import type { MessagingSender } from './twilio-messaging.client.js';

/** The NotificationPort: email over SMTP, SMS and WhatsApp over the messaging vendor. */
export function createNotificationRouter(email: EmailSender, messaging: MessagingSender): NotificationPort {
  return { send: (message) => (message.channel === 'email' ? email.send(message) : messaging.send(message)) };
}
