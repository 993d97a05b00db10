import type { OutputBuffer } from './check-output.js';

/** One compiler message, as data (from Cargo's `--message-format=json…`). */
export interface Diagnostic {
  level: 'error' | 'warning';
  /** The error code, e.g. `E0063`, or a lint name (`unused_variables`); null when none. */
  code: string | null;
  message: string;
  /** The primary span (a path as Cargo prints it: relative to the workspace for its own crates). */
  file: string | null;
  line: number | null;
  column: number | null;
  /** The message as rustc renders it for people, without colours. */
  rendered: string;
}

export interface CheckDiagnostics {
  /** The first errors (at most MAX_KEPT). */
  errors: Diagnostic[];
  /** The first warnings (at most MAX_KEPT). */
  warnings: Diagnostic[];
  errorCount: number;
  warningCount: number;
  /** Every warning's warningKey (at most MAX_KEYS), for telling the warnings a patch introduced. */
  warningKeys: string[];
}

const MAX_KEPT = 50;
/** Warnings remembered by key only, beyond the ones kept whole (a key is ~100 bytes). */
const MAX_KEYS = 10_000;
const MAX_RENDERED_CHARS = 4000;
const MAX_MESSAGE_CHARS = 500;
/** A JSON line longer than this is kept as text, never parsed (bounded memory). */
const MAX_LINE_BYTES = 1024 * 1024;

/** Cargo subcommands that build and so print compiler messages. */
const BUILDING = new Set(['check', 'build', 'clippy', 'b', 'c', 'test', 'rustc']);

/**
 * The check's argv with `--message-format=json-diagnostic-rendered-ansi` added when it is
 * `cargo [+toolchain] check|build|clippy …` without a message format of its own (and before
 * a `--` that passes arguments on); null for any other command, whose output stays plain.
 */
export function withJsonMessages(argv: string[], isCargo: boolean): string[] | null {
  if (!isCargo) return null;
  const args = argv.slice(1);
  const sub = args.find((arg) => !arg.startsWith('+') && !arg.startsWith('-'));
  if (sub === undefined || !BUILDING.has(sub)) return null;
  const end = args.indexOf('--');
  const own = end === -1 ? args : args.slice(0, end);
  if (own.some((arg) => arg.startsWith('--message-format'))) return null;
  const at = end === -1 ? argv.length : end + 1;
  return [...argv.slice(0, at), '--message-format=json-diagnostic-rendered-ansi', ...argv.slice(at)];
}

/**
 * Where Cargo's stdout goes when it prints JSON: each compiler message is kept as data and its
 * rendered text (colours stripped) written to `output`, so the output reads as plain `cargo`
 * output would; other JSON (artifacts, build scripts) is dropped, anything else passed on.
 */
export function createDiagnosticsSink(output: OutputBuffer): { sink: OutputBuffer; diagnostics(): CheckDiagnostics } {
  const found: CheckDiagnostics = { errors: [], warnings: [], errorCount: 0, warningCount: 0, warningKeys: [] };
  let pending = '';

  function line(text: string): void {
    const parsed = text.startsWith('{') && text.length <= MAX_LINE_BYTES ? parseCargoLine(text) : undefined;
    if (parsed === undefined) {
      output.write(Buffer.from(`${text}\n`));
      return;
    }
    if (parsed.shown !== '') output.write(Buffer.from(parsed.shown.endsWith('\n') ? parsed.shown : `${parsed.shown}\n`));
    const message = parsed.diagnostic;
    if (message === null) return;
    if (message.level === 'error') {
      found.errorCount += 1;
      if (found.errors.length < MAX_KEPT) found.errors.push(message);
    } else {
      found.warningCount += 1;
      if (found.warnings.length < MAX_KEPT) found.warnings.push(message);
      if (found.warningKeys.length < MAX_KEYS) found.warningKeys.push(warningKey(message));
    }
  }

  return {
    sink: {
      write(chunk) {
        pending += chunk.toString('utf8');
        let at = pending.indexOf('\n');
        while (at !== -1) {
          line(pending.slice(0, at));
          pending = pending.slice(at + 1);
          at = pending.indexOf('\n');
        }
        if (pending.length > MAX_LINE_BYTES) {
          output.write(Buffer.from(pending));
          pending = '';
        }
      },
      text: () => output.text(),
      totalBytes: () => output.totalBytes(),
    },
    diagnostics() {
      if (pending !== '') {
        line(pending);
        pending = '';
      }
      return found;
    },
  };
}

/**
 * A line of Cargo's JSON: the text to show for it (a compiler message's rendered text,
 * colours stripped; nothing for artifacts and build scripts) and the compiler message as a
 * Diagnostic when it is an error or a warning of its own (not a note, not rustc's closing
 * "aborting due to …" summary). Undefined for a line that is not Cargo JSON at all.
 */
export function parseCargoLine(text: string): { shown: string; diagnostic: Diagnostic | null } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.reason !== 'string') return undefined;
  if (value.reason !== 'compiler-message' || !isObject(value.message)) return { shown: '', diagnostic: null };
  const message = value.message;
  const shown = typeof message.rendered === 'string' ? stripAnsi(message.rendered) : '';
  const level = message.level === 'error' || message.level === 'error: internal compiler error' ? 'error' : message.level === 'warning' ? 'warning' : null;
  const words = typeof message.message === 'string' ? message.message : '';
  if (level === null || /^(aborting due to|\d+ warnings? emitted|could not compile)/.test(words)) return { shown, diagnostic: null };
  const code = isObject(message.code) && typeof message.code.code === 'string' ? message.code.code : null;
  const spans = Array.isArray(message.spans) ? message.spans.filter(isObject) : [];
  const primary = spans.find((span) => span.is_primary === true) ?? spans[0];
  return {
    shown,
    diagnostic: {
      level,
      code,
      message: words.slice(0, MAX_MESSAGE_CHARS),
      file: typeof primary?.file_name === 'string' ? primary.file_name : null,
      line: typeof primary?.line_start === 'number' ? primary.line_start : null,
      column: typeof primary?.column_start === 'number' ? primary.column_start : null,
      rendered: shown.slice(0, MAX_RENDERED_CHARS),
    },
  };
}

/**
 * Cargo's own error (not the compiler's), for a Cargo build that failed before any compiler
 * message: a configuration it cannot load, a directory source that is not there… As one line,
 * the error and its "Caused by"s joined with ": " (at most the last two causes; source
 * snippets dropped), the worktree's
 * path made relative: `could not load Cargo configuration: could not parse TOML configuration
 * in \`.cargo/config.toml\`: TOML parse error at line 1, column 18 unclosed table, expected \`]\``.
 */
export function cargoError(output: string, tree: string): Diagnostic | null {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith('error: '));
  if (start === -1) return null;
  const parts: string[] = [(lines[start] as string).slice('error: '.length).trim()];
  for (let at = start + 1; at < lines.length; at += 1) {
    const line = lines[at] as string;
    if (line.startsWith('error') || line.startsWith('warning')) break;
    if (line === 'Caused by:') parts.push('');
    else if (parts.length > 1 && line.trim() !== '' && !/^\s*(\d+\s*)?\|/.test(line)) parts[parts.length - 1] = `${parts.at(-1)} ${line.trim()}`.trim();
  }
  const said = parts.filter((part) => part !== '');
  // The first line says what failed, the last causes why; the ones between repeat the way down.
  const kept = said.length > 3 ? [said[0], '…', ...said.slice(-2)] : said;
  const message = kept
    .join(': ')
    .replace(': …:', ' …')
    .split(`${tree}/`)
    .join('')
    .split(tree)
    .join('.');
  return { level: 'error', code: null, message: message.slice(0, MAX_MESSAGE_CHARS), file: null, line: null, column: null, rendered: lines.slice(start).join('\n').slice(0, MAX_RENDERED_CHARS) };
}

/** What makes two warnings the same one, wherever a patch moved it: code, message and file (not the line). */
export function warningKey(warning: Pick<Diagnostic, 'code' | 'message' | 'file'>): string {
  return JSON.stringify([warning.code, warning.message, warning.file]);
}

/**
 * The warnings of `patched` the base did not have: each base warning accounts for one patched
 * warning with the same key (a patch that adds a second unused variable of the same name
 * introduces one), lines ignored, since the patch shifts them. Only the warnings `patched`
 * kept whole can be listed.
 */
export function introducedWarnings(patched: CheckDiagnostics, base: Pick<CheckDiagnostics, 'warningKeys'>): Diagnostic[] {
  const left = new Map<string, number>();
  for (const key of base.warningKeys) left.set(key, (left.get(key) ?? 0) + 1);
  return patched.warnings.filter((warning) => {
    const key = warningKey(warning);
    const count = left.get(key) ?? 0;
    if (count === 0) return true;
    left.set(key, count - 1);
    return false;
  });
}

/** `E0063 missing field \`crlf\` in initializer (src/re_builder.rs:212)`: a red check's reason in one line. */
export function describeDiagnostic(diagnostic: Pick<Diagnostic, 'code' | 'message' | 'file' | 'line'>): string {
  const where = diagnostic.file === null ? '' : ` (${diagnostic.file}${diagnostic.line === null ? '' : `:${diagnostic.line}`})`;
  return `${diagnostic.code === null ? '' : `${diagnostic.code} `}${diagnostic.message}${where}`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
