// Customer e-mail over SMTP with nodemailer, when SMTP_URL is set. Short timeouts: a message is sent
// while a payment path waits, and a slow mail server must not hold it for long.
import nodemailer from 'nodemailer';

export interface EmailMessage {
  to: string;
  /** The display name of the sender: the merchant's name. */
  fromName: string;
  subject: string;
  text: string;
}

export interface EmailTransport {
  readonly name: string;
  send(message: EmailMessage): Promise<void>;
  close(): void;
}

/**
 * `url` is `smtp://user:pass@host:port` (STARTTLS when the server offers it) or `smtps://…` (TLS from
 * the start); nodemailer options may follow as query parameters, e.g. `?ignoreTLS=true`.
 */
export function smtpTransport(url: string, from: string): EmailTransport {
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  const password = decodeURIComponent(new URL(url).password);
  return {
    name: 'smtp',
    async send(message) {
      try {
        await transporter.sendMail({ from: { name: message.fromName, address: from }, to: message.to, subject: message.subject, text: message.text });
      } catch (err) {
        // The reason goes to the operator's log: it must not carry the SMTP password. Nodemailer's code
        // and the server's reply code stay, for the class of failure the merchant is shown (messenger.ts).
        const reason = (err as Error).message ?? String(err);
        const { code, responseCode } = err as { code?: unknown; responseCode?: unknown };
        throw Object.assign(new Error(password ? reason.split(password).join('[redacted]') : reason), { code, responseCode });
      }
    },
    close: () => transporter.close(),
  };
}
