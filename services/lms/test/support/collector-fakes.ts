import type { CollectorActivities } from '../../src/modules/collections/activities/collector.activities.js';

/**
 * Collector activities for workflow tests about the installment clock and lifecycle signals only: the LMS
 * knows no such loan, so each pass does nothing (the collector itself is tested against the real LMS in
 * collector.int.test.ts).
 */
export const noCollectorActivities: CollectorActivities & { contactBorrower(): never; scheduleAutoDebit(): never } = {
  collectionFacts: async () => ({ found: false, tenantId: '', businessDate: '', status: 'open', dpd: 0, schedule: { preDue: [], autoDebit: false, followUps: [], escalation: [] }, installments: [], paidSincePromise: null, presentmentOutcomes: [], monthEndDpd: [] }),
  openCollectionsCase: async () => false,
  closeCollectionsCase: async () => false,
  raiseCollectionsFlag: async () => false,
  scheduleNextWake: async () => undefined,
  recordPromiseOutcome: async () => undefined,
  contactBorrower: () => { throw new Error('no contact expected'); },
  scheduleAutoDebit: () => { throw new Error('no presentment expected'); },
};
