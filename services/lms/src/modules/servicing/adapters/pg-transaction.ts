// The LMS's transaction helper lives in src/platform (every module uses it); this path is kept for the
// servicing files that still import it from here.
export { inTransaction, onCommit } from '../../../platform/pg-transaction.js';
