import type { ApplicationDocumentRef } from '../checks/check-runner.js';

/**
 * Where document bytes live. Keys are content-addressed (`<tenant>/<sha256>`), so a put of the same bytes is
 * harmless and a blob is never changed after it is written.
 *
 * An S3-style adapter implements the same four calls: `put` = PutObject with `ChecksumSHA256` (and
 * `If-None-Match: *` so an existing object is not rewritten), `get` = GetObject, `exists` = HeadObject
 * (404 → false), `delete` = DeleteObject; the bucket and a key prefix come from configuration, and
 * server-side encryption (SSE-KMS) is a bucket setting, not a code path.
 */
export interface BlobStore {
  /** Durable when it resolves (the filesystem adapter fsyncs and renames into place). */
  put(key: string, bytes: Buffer): Promise<void>;
  /** The bytes, or undefined when there is no such blob. */
  get(key: string): Promise<Buffer | undefined>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export type DocumentKind = ApplicationDocumentRef['kind'];
export type DocumentContentType = ApplicationDocumentRef['contentType'];

export interface StoredDocument extends ApplicationDocumentRef {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly fileName: string | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

export interface DocumentStore {
  /** Whether the tenant has this application (documents attach only to an existing one). */
  applicationExists(tenantId: string, applicationId: string): Promise<boolean>;
  /**
   * Inserts the document unless the application already has the same bytes (then that one is returned,
   * `created: false`). An idempotency key already used for other bytes is `key-reused`.
   */
  insert(document: StoredDocument): Promise<{ kind: 'created' | 'existing'; document: StoredDocument } | { kind: 'key-reused'; document: StoredDocument }>;
  findByIdempotencyKey(tenantId: string, key: string): Promise<StoredDocument | undefined>;
  list(tenantId: string, applicationId: string): Promise<StoredDocument[]>;
}
