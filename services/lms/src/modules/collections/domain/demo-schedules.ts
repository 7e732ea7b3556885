import type { CollectionSchedule } from './collection-plan.js';

/**
 * The demo tenant's collection schedules, one per demo product (domain/demo-products.ts), shaped by how each is
 * repaid. Data, as a lender would set them with PUT /v1/collections/schedules/{code}; the seed stores each only
 * where the tenant has none, so a lender's own edit is never overwritten.
 */
export const DEMO_COLLECTION_SCHEDULES: Readonly<Record<string, CollectionSchedule>> = {
  // Monthly EMI: a reminder three days out and the day before; follow-ups over the first week; queues by bucket.
  'PL-12': {
    preDue: [{ offsetDays: -3, channel: 'sms', templateKey: 'payment-reminder' }, { offsetDays: -1, channel: 'whatsapp', templateKey: 'payment-reminder' }],
    autoDebit: true,
    followUps: [{ offsetDays: 1, channel: 'sms', templateKey: 'payment-overdue' }, { offsetDays: 3, channel: 'email', templateKey: 'payment-overdue' }, { offsetDays: 7, channel: 'whatsapp', templateKey: 'payment-overdue' }],
    escalation: [{ minDpd: 30, queue: 'early', priority: 1 }, { minDpd: 60, queue: 'late', priority: 2 }, { minDpd: 90, queue: 'recovery', priority: 3 }],
  },
  // Four fortnightly instalments: a short cycle, so one reminder, quick follow-ups and an early queue.
  'BNPL-4': {
    preDue: [{ offsetDays: -2, channel: 'email', templateKey: 'payment-reminder' }],
    autoDebit: true,
    followUps: [{ offsetDays: 1, channel: 'sms', templateKey: 'payment-overdue' }, { offsetDays: 4, channel: 'email', templateKey: 'payment-overdue' }],
    escalation: [{ minDpd: 15, queue: 'early', priority: 1 }, { minDpd: 45, queue: 'late', priority: 2 }],
  },
  // One repayment: reminders on both days before it, follow-ups within the week, a person soon after.
  'PAYDAY-30': {
    preDue: [{ offsetDays: -3, channel: 'email', templateKey: 'payment-reminder' }, { offsetDays: -1, channel: 'sms', templateKey: 'payment-reminder' }],
    autoDebit: true,
    followUps: [{ offsetDays: 1, channel: 'sms', templateKey: 'payment-overdue' }, { offsetDays: 2, channel: 'email', templateKey: 'payment-overdue' }, { offsetDays: 5, channel: 'sms', templateKey: 'payment-overdue' }],
    escalation: [{ minDpd: 7, queue: 'early', priority: 2 }, { minDpd: 30, queue: 'late', priority: 3 }],
  },
  // A business borrower: a week's notice by email, then SMS; a relationship call before the buckets take over.
  'SME-TL': {
    preDue: [{ offsetDays: -7, channel: 'email', templateKey: 'payment-reminder' }, { offsetDays: -2, channel: 'sms', templateKey: 'payment-reminder' }],
    autoDebit: true,
    followUps: [{ offsetDays: 1, channel: 'email', templateKey: 'payment-overdue' }, { offsetDays: 5, channel: 'sms', templateKey: 'payment-overdue' }, { offsetDays: 10, channel: 'email', templateKey: 'payment-overdue' }],
    escalation: [{ minDpd: 15, queue: 'early', priority: 1 }, { minDpd: 60, queue: 'late', priority: 2 }, { minDpd: 90, queue: 'recovery', priority: 3 }],
  },
};
