import type { z } from 'zod';
import { schedule } from '../api/schedule.js';
import { scheduleRequestSchema } from '../api/schedule-request.js';
import { invalidRequest, type CliError } from './errors.js';

export type CommandOutcome = { ok: true; output: unknown } | { ok: false; error: CliError };

interface Command {
  readonly schema: z.ZodType;
  run(input: unknown): unknown;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  schedule: { schema: scheduleRequestSchema, run: (input) => schedule(input as z.input<typeof scheduleRequestSchema>) },
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/** Runs one CLI command on an already-parsed JSON value. Pure: no I/O. */
export function runCommand(name: string, input: unknown): CommandOutcome {
  const command = COMMANDS[name];
  if (!command) {
    const message = `unknown command "${name}"; expected one of ${COMMAND_NAMES.join(', ')}`;
    return { ok: false, error: { error: 'unknown_command', message, issues: [{ field: 'command', path: ['command'], message }] } };
  }
  const parsed = command.schema.safeParse(input);
  if (!parsed.success) return { ok: false, error: invalidRequest(parsed.error) };
  return { ok: true, output: command.run(parsed.data) };
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
