import type { z } from 'zod';

export interface FieldIssue {
  /** Dotted path of the offending field ("fees.0.amount"); "" for the whole request. */
  field: string;
  path: (string | number)[];
  message: string;
}

export interface CliError {
  error: 'invalid_request' | 'unknown_command' | 'invalid_json' | 'unprocessable';
  message: string;
  /** Machine-readable reason for 'unprocessable' (e.g. 'overdue-installments'). */
  code?: string;
  issues: FieldIssue[];
}

export function issuesFromZod(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    return { field: path.join('.'), path, message: i.message };
  });
}

export function invalidRequest(error: z.ZodError): CliError {
  const issues = issuesFromZod(error);
  const first = issues[0];
  const message = first ? `${first.field || 'request'}: ${first.message}` : 'invalid request';
  return { error: 'invalid_request', message, issues };
}
