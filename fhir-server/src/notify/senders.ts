import type { ContactPoint } from '@medplum/fhirtypes';
import type { Logger } from '../http/logger.js';

/** One message to one person at one address. */
export interface OutgoingMessage {
  /** The Communication it comes from, e.g. `Communication/12`. */
  communication: string;
  /** The recipient, e.g. `Practitioner/7`. */
  recipient: string;
  address: ContactPoint;
  text: string;
  priority?: string;
}

export interface SendResult {
  ok: boolean;
  /** The gateway's message id, or why it failed. */
  detail?: string;
}

/**
 * A way to reach people: an SMS gateway, WeChat (企业微信/公众号 template messages), e-mail. A
 * sender says which addresses it can use (`handles`); the notifier tries the configured senders
 * in order for each recipient. A gateway is added by writing one class and one entry in
 * `SENDER_FACTORIES`, configured by its own environment variables.
 */
export interface NotificationSender {
  readonly name: string;
  handles(address: ContactPoint): boolean;
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** Writes each message as one log line and reports it sent: the default, and the record in development. */
class LoggingSender implements NotificationSender {
  readonly name = 'logging';
  constructor(private readonly logger: Logger) {}
  handles(): boolean {
    return true;
  }
  async send(m: OutgoingMessage): Promise<SendResult> {
    this.logger.log('info', 'notification', { communication: m.communication, recipient: m.recipient, system: m.address.system, address: m.address.value, priority: m.priority, text: m.text });
    return { ok: true, detail: 'logged' };
  }
}

export const SENDER_FACTORIES: Record<string, (logger: Logger, env: NodeJS.ProcessEnv) => NotificationSender> = {
  logging: (logger) => new LoggingSender(logger),
};

/** The senders `QIAO_NOTIFY_SENDERS` names, in order; an unknown name stops the server at start. */
export function configuredSenders(names: readonly string[], logger: Logger, env: NodeJS.ProcessEnv = process.env): NotificationSender[] {
  return names.map((name) => {
    const factory = SENDER_FACTORIES[name];
    if (!factory) throw new Error(`QIAO_NOTIFY_SENDERS: unknown sender "${name}" (known: ${Object.keys(SENDER_FACTORIES).join(', ')})`);
    return factory(logger, env);
  });
}
