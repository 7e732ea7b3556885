import { execFile, execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const installScript = join(repoRoot, 'infra/local/python-tools.sh');
const hooksFile = fileURLToPath(new URL('../schemathesis/hooks.py', import.meta.url));
const configFile = fileURLToPath(new URL('../schemathesis/schemathesis.toml', import.meta.url));

/**
 * Path of schemathesis' `st`, installed by infra/local/python-tools.sh (pinned, in a venv under
 * .cache/; a no-op when already there). Throws with the script's own message, e.g. no python3.
 */
export function schemathesisExecutable(timeoutMs = 900_000): string {
  try {
    return execFileSync('bash', [installScript, 'st'], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`Could not install schemathesis with ${installScript}:\n${e.stderr?.trim() || e.message}`, { cause: error });
  }
}

export interface SchemathesisOptions {
  readonly st: string;
  /** Names the run in messages and its report directory. */
  readonly name: string;
  readonly baseUrl: string;
  readonly token: string;
  readonly reportDir: string;
  readonly maxExamples: number;
  readonly seed: number;
  readonly timeoutMs: number;
}

/** One failing case of one check, as schemathesis recorded it. */
export interface SchemathesisFailure {
  readonly check: string;
  readonly code: string;
  readonly title: string;
  readonly operation: string;
  readonly caseId: string;
  readonly message: string;
  readonly request: { readonly method: string; readonly uri: string; readonly body: string | undefined };
  readonly status: number | undefined;
  readonly responseBody: string;
  /** What schemathesis printed for this case: the response and its "Reproduce with" curl lines. */
  readonly printed: string | undefined;
}

export interface SchemathesisRun {
  readonly name: string;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly output: string;
  readonly reportDir: string;
  /** Every failing (check, case) pair, deduplicated by check, operation, request and response. */
  readonly failures: readonly SchemathesisFailure[];
  /** Test cases schemathesis generated, over all phases. */
  readonly casesGenerated: number | undefined;
  /** Schemathesis' own count of unique failures per failure code (its JSON report). */
  readonly uniqueByCode: ReadonlyMap<string, number>;
  /** Cases schemathesis could not run (its JSON report's errors: a crash in generation or sending), by title. */
  readonly errors: readonly { readonly title: string; readonly count: number }[];
}

const decode = (content: unknown): string => {
  if (typeof content === 'string') return content;
  const b64 = (content as { $base64?: string } | undefined)?.$base64;
  return b64 === undefined ? '' : Buffer.from(b64, 'base64').toString('utf8');
};

/**
 * `st run <url>/openapi.json --checks all` against a running service, with the project's hooks
 * (schemathesis/hooks.py) and settings (schemathesis/schemathesis.toml). Exit 0 (nothing found) and 1 (failures found) are results; anything else,
 * or no report, throws with schemathesis' output.
 */
export async function runSchemathesis(o: SchemathesisOptions): Promise<SchemathesisRun> {
  await rm(o.reportDir, { recursive: true, force: true });
  await mkdir(o.reportDir, { recursive: true });
  const ndjson = join(o.reportDir, 'events.ndjson');
  const args = [
    '--config-file', configFile,
    'run', `${o.baseUrl}/openapi.json`, '--url', o.baseUrl, '-H', `Authorization: Bearer ${o.token}`,
    '--checks', 'all',
    // Without it a (non-server-error) failure ends an operation's fuzzing at its first case, so a 5xx
    // behind any 400 with an undocumented content type would never be reached.
    '--continue-on-failure',
    '--max-examples', String(o.maxExamples), '--seed', String(o.seed),
    '--generation-database', 'none', '--request-timeout', '10', '--workers', '1',
    '--report', 'junit,json,ndjson', '--report-dir', o.reportDir, '--report-ndjson-path', ndjson,
    '--report-junit-path', join(o.reportDir, 'junit.xml'), '--report-json-path', join(o.reportDir, 'report.json'),
    '--no-color',
  ];
  const started = Date.now();
  const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve) => {
    execFile(o.st, args, {
      cwd: o.reportDir, // schemathesis writes its own files (e.g. .hypothesis) where it runs
      env: { ...process.env, SCHEMATHESIS_HOOKS: hooksFile, PYTHONIOENCODING: 'utf-8', NO_COLOR: '1' },
      timeout: o.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8',
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ exitCode: code, output: `${stdout}${stderr ? `\n--- stderr ---\n${stderr}` : ''}` });
    });
  });
  const durationMs = Date.now() - started;
  await writeFile(join(o.reportDir, 'output.txt'), output);
  const files = await readdir(o.reportDir);
  if ((exitCode !== 0 && exitCode !== 1) || !files.includes('events.ndjson') || !files.includes('report.json')) {
    throw new Error(`schemathesis (${o.name}) exited with ${exitCode} after ${durationMs} ms${exitCode === -1 ? ' (killed at the time limit?)' : ''}; output in ${o.reportDir}/output.txt:\n${output.slice(-4_000)}`);
  }
  const failures = await readEvents(ndjson, printedCases(output));
  const summary = JSON.parse(await readFile(join(o.reportDir, 'report.json'), 'utf8')) as {
    test_cases?: { generated?: number };
    failures?: { code: string; count: number }[];
    errors?: { title: string; count: number }[];
  };
  const uniqueByCode = new Map((summary.failures ?? []).map((f) => [f.code, f.count] as const));
  return { name: o.name, exitCode, durationMs, output, reportDir: o.reportDir, failures, casesGenerated: summary.test_cases?.generated, uniqueByCode, errors: summary.errors ?? [] };
}

/** The block schemathesis printed for each test case id ("1. Test Case ID: X" ... "st replay X"). */
function printedCases(output: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of output.matchAll(/Test Case ID: (\S+)\n([\s\S]*?)\n\s*st replay \1/g)) {
    blocks.set(match[1]!, match[2]!.trim());
  }
  return blocks;
}

interface Recorder {
  checks: Record<string, { name: string; status: string; failure_info?: { failure: { code: string; title: string; message: string; operation: string } } }[]>;
  interactions: Record<string, { request: { method: string; uri: string; body?: unknown }; response?: { status_code: number; content?: unknown } }>;
}

async function readEvents(ndjson: string, printed: Map<string, string>) {
  const failures = new Map<string, SchemathesisFailure>();
  const lines = createInterface({ input: createReadStream(ndjson, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.startsWith('{"ScenarioFinished"') || !line.includes('"failure_info"')) continue;
    const recorder = (JSON.parse(line) as { ScenarioFinished: { recorder: Recorder } }).ScenarioFinished.recorder;
    for (const [caseId, checks] of Object.entries(recorder.checks)) {
      const interaction = recorder.interactions[caseId];
      for (const check of checks) {
        const failure = check.failure_info?.failure;
        if (check.status !== 'failure' || !failure) continue;
        const request = { method: interaction?.request.method ?? '?', uri: interaction?.request.uri ?? '?', body: interaction?.request.body === undefined ? undefined : decode(interaction.request.body) };
        const status = interaction?.response?.status_code;
        const responseBody = decode(interaction?.response?.content);
        const key = JSON.stringify([check.name, failure.operation, request, status, responseBody]);
        if (failures.has(key)) continue;
        failures.set(key, {
          check: check.name, code: failure.code, title: failure.title, operation: failure.operation, caseId,
          message: failure.message, request, status, responseBody, printed: printed.get(caseId),
        });
      }
    }
  }
  return [...failures.values()];
}

/**
 * One line per failing check: schemathesis' unique failures (its own deduplication, when given), the
 * distinct failing cases behind them, and the operations they were found on.
 */
export function failureCounts(failures: readonly SchemathesisFailure[], uniqueByCode: ReadonlyMap<string, number> = new Map()): string[] {
  const byCheck = new Map<string, { label: string; codes: Set<string>; cases: number; operations: Set<string> }>();
  for (const f of failures) {
    const entry = byCheck.get(f.check) ?? { label: `${f.check} (${f.code} ${f.title})`, codes: new Set<string>(), cases: 0, operations: new Set<string>() };
    entry.codes.add(f.code);
    entry.cases += 1;
    entry.operations.add(f.operation);
    byCheck.set(f.check, entry);
  }
  return [...byCheck.values()].sort((a, b) => b.cases - a.cases)
    .map((e) => {
      const unique = [...e.codes].reduce((sum, code) => sum + (uniqueByCode.get(code) ?? 0), 0);
      return `${e.label}: ${unique > 0 ? `${unique} unique failure(s), ` : ''}${e.cases} failing case(s) on ${e.operations.size} operation(s)`;
    });
}

/** One failure for a developer: operation, status, request, response and schemathesis' reproduction. */
export function describeFailure(f: SchemathesisFailure, token = '$TOKEN'): string {
  const curl = f.printed
    ? f.printed.replaceAll("'Authorization: [Filtered]'", `'Authorization: Bearer ${token}'`)
    : `curl -X ${f.request.method} -H 'Authorization: Bearer ${token}' ${f.request.body === undefined ? '' : `-H 'Content-Type: application/json' -d '${f.request.body}' `}'${f.request.uri}'`;
  return [
    `${f.operation}: ${f.check} (${f.code} ${f.title}), status ${f.status ?? 'none'}, case ${f.caseId}`,
    `  request: ${f.request.method} ${f.request.uri}${f.request.body === undefined ? '' : ` body ${JSON.stringify(f.request.body).slice(0, 600)}`}`,
    `  response: ${f.responseBody.slice(0, 600)}`,
    ...(f.message ? [`  ${f.message.split('\n').join('\n  ')}`] : []),
    `  ${curl.split('\n').join('\n  ')}`,
  ].join('\n');
}
