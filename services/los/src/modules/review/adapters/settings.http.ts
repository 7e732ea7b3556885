import type { FastifyReply } from 'fastify';
import type { CreditorProfile } from '../domain/adverse-action-notice.js';
import type { ReviewSettingsStore, SettingChange } from '../ports.js';

/** What the admin settings routes need: the review store (its settings and creditor) and the clock. */
export interface SettingsRoutesDeps {
  readonly reviews: ReviewSettingsStore & { creditor(tenantId: string): Promise<CreditorProfile | undefined> };
  readonly authSecret: string;
  readonly now: () => Date;
}

export const STAFF = ['operator', 'approver', 'admin'] as const;

/** 201 when the setting was not set before, else 200; `setting-changed` says whether the PUT changed anything. */
export const changed = <T>(reply: FastifyReply, change: SettingChange<T>) => void reply.status(change.previous === null ? 201 : 200).header('setting-changed', String(change.changed));
