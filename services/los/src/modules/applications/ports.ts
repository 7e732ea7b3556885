import type { PageKey } from '@lendstack/platform';
import type { Application, ApplicationStatus, BookingFailure, CheckState } from './domain/application.js';

/** An event row written in the same transaction as the state change; the outbox relay publishes it. */
export interface OutboxMessage {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
  readonly headers: Record<string, string>;
}

export interface IdempotencyRecord {
  readonly tenantId: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly requestHash: string;
  readonly responseStatus: number;
  readonly responseBody: unknown;
}

/** One step of an application's decision (append-only, modules/review's decision_audit). */
export interface DecisionAuditEntry {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly checksRun: number;
  readonly action: string;
  readonly actor: string;
  readonly detail: Record<string, unknown>;
  readonly at: Date;
}

/** An adverse-action notice of a declined application's checks run, as stored (modules/review draws it). */
export interface AdverseActionNoticeRecord {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly checksRun: number;
  readonly pdf: Buffer;
  readonly sha256: string;
  readonly content: { readonly reasons: readonly string[] };
  readonly at: Date;
}

/** Reads and writes inside one database transaction. */
export interface ApplicationUnitOfWork {
  /** Reads the application and locks it until the transaction ends. */
  lockForUpdate(tenantId: string, id: string): Promise<Application | undefined>;
  insert(application: Application): Promise<void>;
  update(application: Application): Promise<void>;
  enqueue(message: OutboxMessage): Promise<void>;
  /** Appends a step to the application's decision audit trail. */
  audit(entry: DecisionAuditEntry): Promise<void>;
  /** Stores a decline's adverse-action notice (one per checks run: a second for the same run is ignored). */
  saveNotice(notice: AdverseActionNoticeRecord): Promise<void>;
  /** The application's checks, as approval needs them. */
  checksOf(applicationId: string): Promise<CheckState[]>;
  /** Stores the sealed clear PII of a new application (see modules/pii). */
  savePii(record: SealedPiiRecord): Promise<void>;
  /** Marks the run whose checks workflow must still be started (the checks starter picks it up). */
  requestChecks(applicationId: string, run: number): Promise<void>;
  findIdempotency(tenantId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Fails with IdempotencyConflict if a concurrent request saved the same key first. */
  saveIdempotency(record: IdempotencyRecord): Promise<void>;
}

/** The clear national id, date of birth and account number, each sealed (IV ‖ tag ‖ ciphertext). */
export interface SealedPiiRecord {
  readonly applicationId: string;
  readonly tenantId: string;
  readonly nationalId: Buffer;
  readonly dateOfBirth: Buffer | null;
  readonly bankAccount: Buffer;
}

/** Seals an application's clear PII before it is stored (envelope encryption, modules/pii). */
export interface PiiSealer {
  seal(tenantId: string, applicationId: string, values: { nationalId: string; dateOfBirth: string | null; bankAccount: string }): Promise<SealedPiiRecord>;
}

/** What a decision is taken on: the application and its checks, read together without a lock. */
export interface DecisionInputs {
  readonly application: Application;
  readonly checks: readonly CheckState[];
}

/**
 * A decision's writes, committed together or not at all: the application's new state, its audit entries (in
 * order), a decline's notice and an approval's event.
 */
export interface DecisionCommit {
  readonly application: Application;
  /** The version the decision was taken on; nothing is written when the application is no longer at it. */
  readonly expectedVersion: number;
  /** The checks the decision rested on (an approval): nothing is written when they are no longer these. */
  readonly checks?: readonly CheckState[];
  readonly audit: readonly DecisionAuditEntry[];
  readonly notice?: AdverseActionNoticeRecord;
  readonly message?: OutboxMessage;
}

export interface ApplicationStore {
  transaction<T>(work: (uow: ApplicationUnitOfWork) => Promise<T>): Promise<T>;
  /** The application of the tenant with its checks (ordered by kind), or undefined. */
  readForDecision(tenantId: string, id: string): Promise<DecisionInputs | undefined>;
  /**
   * Writes a decision atomically, only if the application is still at `expectedVersion` (and, when given, its
   * checks are still `checks`). False: it changed since it was read and nothing was written; decide again.
   */
  commitDecision(commit: DecisionCommit): Promise<boolean>;
  find(tenantId: string, id: string): Promise<Application | undefined>;
  /** Newest first; at most `limit + 1` rows so the caller can tell whether another page follows. */
  list(tenantId: string, query: { status?: ApplicationStatus; after?: PageKey; limit: number }): Promise<Application[]>;
}

/** A concurrent request with the same idempotency key committed first. */
export class IdempotencyConflict extends Error {}

/**
 * Replaces a national id or account number with a masked form and an opaque token before anything is
 * stored or published. The clear value stays with the vault (a later issue gives it a real backend).
 */
export interface PiiVault {
  tokenise(kind: 'national-id' | 'bank-account', value: string): { masked: string; token: string };
}

/** Called after a commit that enqueued outbox rows, so the relay publishes without waiting to poll. */
export type OutboxNotifier = () => void;

/** What the LMS told the LOS about one approved loan it could not book. */
export interface BookingFailureRecord {
  readonly eventId: string;
  readonly tenantId: string;
  readonly loanId: string;
  /** False: record the event id only (nothing to change). */
  readonly apply: boolean;
  readonly failure: BookingFailure;
}

export interface BookingFeedbackStore {
  /**
   * In ONE transaction: records each event id in the inbox and, for events not seen before, moves the
   * tenant's approved application with that loan id to booking-failed. Returns how many moved.
   */
  recordBookingFailures(records: readonly BookingFailureRecord[]): Promise<number>;
}
