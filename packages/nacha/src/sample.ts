import type { NachaFileInput } from './writer.js';

/** A small PPD credit file with known bytes, for tests (nacha.test.ts spells out every record). */
export const SAMPLE: NachaFileInput = {
  immediateDestination: '011000015',
  immediateDestinationName: 'FEDERAL RESERVE BANK',
  immediateOrigin: '231380104',
  immediateOriginName: 'LENDSTACK ODFI',
  creationDate: '2026-12-02',
  creationTime: '1405',
  fileIdModifier: 'A',
  batches: [
    {
      companyName: 'LENDSTACK',
      companyId: '1234567890',
      secCode: 'PPD',
      entryDescription: 'LOAN',
      effectiveEntryDate: '2026-12-03',
      odfiIdentification: '23138010',
      batchNumber: 1,
      entries: [
        { transactionCode: 22, rdfiRouting: '021000021', accountNumber: '123456789', amountCents: 150_000n, individualId: 'LN8F3A2C91D4E5', individualName: 'Jordan Lee', traceSequence: 1 },
        { transactionCode: 32, rdfiRouting: '011000015', accountNumber: '987654321', amountCents: 2_500n, individualId: 'LN00000002', individualName: 'Sam Ortiz', traceSequence: 2 },
      ],
    },
  ],
};
