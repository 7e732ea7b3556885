// The loancalc CLI: `pnpm -s loancalc <command>` with a JSON request on stdin.
// JSON result on stdout (exit 0); bad input → JSON error on stderr naming the field (exit 2).
// This file is the only place in the package that does I/O.
import { parseJsonInput, runCommand } from './commands.js';

const EXIT_BAD_INPUT = 2;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const json = parseJsonInput(await readStdin());
  const outcome = json.ok ? runCommand(name, json.output) : json;
  if (outcome.ok) {
    process.stdout.write(`${JSON.stringify(outcome.output, null, 2)}\n`);
    return;
  }
  process.stderr.write(`${JSON.stringify(outcome.error)}\n`);
  process.exitCode = EXIT_BAD_INPUT;
}

main().catch((e: unknown) => {
  process.stderr.write(`${JSON.stringify({ error: 'internal_error', message: String(e) })}\n`);
  process.exitCode = 1;
});
