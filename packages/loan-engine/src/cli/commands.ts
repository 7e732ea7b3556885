import type { z } from 'zod';
import { allocate, allocateRequestSchema } from '../api/allocate.js';
import { apr, aprRequestSchema } from '../api/apr.js';
import { schedule } from '../api/schedule.js';
import { scheduleRequestSchema } from '../api/schedule-request.js';
import {
  accrue,
  accrueRequestSchema,
  payoff,
  payoffRequestSchema,
  prepay,
  prepayRequestSchema,
  rescheduleLoan,
  rescheduleRequestSchema,
  ServicingFailure,
} from '../api/servicing.js';
import { yearFrac, yearFracRequestSchema } from '../api/yearfrac.js';
import { invalidRequest, type CliError } from './errors.js';

export type CommandOutcome = { ok: true; output: unknown } | { ok: false; error: CliError };

interface Command {
  readonly schema: z.ZodType;
  run(input: unknown): unknown;
}

// Each command validates with its schema first, then runs on the parsed value.
const command = <S extends z.ZodType>(schema: S, run: (input: z.input<S>) => unknown): Command => ({
  schema,
  run: (input) => run(input as z.input<S>),
});

const COMMANDS: Readonly<Record<string, Command>> = {
  schedule: command(scheduleRequestSchema, schedule),
  apr: command(aprRequestSchema, apr),
  yearfrac: command(yearFracRequestSchema, yearFrac),
  payoff: command(payoffRequestSchema, payoff),
  allocate: command(allocateRequestSchema, allocate),
  prepay: command(prepayRequestSchema, prepay),
  accrue: command(accrueRequestSchema, accrue),
  reschedule: command(rescheduleRequestSchema, rescheduleLoan),
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/** Runs one CLI command on an already-parsed JSON value. Pure: no I/O. */
export function runCommand(name: string, input: unknown): CommandOutcome {
  const found = COMMANDS[name];
  if (!found) {
    const message = `unknown command "${name}"; expected one of ${COMMAND_NAMES.join(', ')}`;
    return { ok: false, error: { error: 'unknown_command', message, issues: [{ field: 'command', path: ['command'], message }] } };
  }
  const parsed = found.schema.safeParse(input);
  if (!parsed.success) return { ok: false, error: invalidRequest(parsed.error) };
  try {
    return { ok: true, output: found.run(input) };
  } catch (e) {
    if (!(e instanceof ServicingFailure)) throw e;
    const { field, message, code } = e.failure;
    return { ok: false, error: { error: 'unprocessable', message: `${field}: ${message}`, code, issues: [{ field, path: field.split('.'), message }] } };
  }
}

/** Parses stdin text as JSON, or explains why not. */
export function parseJsonInput(text: string): CommandOutcome {
  try {
    return { ok: true, output: JSON.parse(text) as unknown };
  } catch (e) {
    const message = `request is not valid JSON: ${(e as Error).message}`;
    return { ok: false, error: { error: 'invalid_json', message, issues: [{ field: '', path: [], message }] } };
  }
}
