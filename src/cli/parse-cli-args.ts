import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { RepoConfigInput } from '../config/config-schema.js';
import { GROUP_BYS, type GroupBy } from '../stats/stats-types.js';
import { usageError } from './exit-error.js';

export const USAGE = `Usage:
  scrum-apply run [options]      turn high-confidence review findings into verified patches
  scrum-apply stats [options]    the trust funnel: what became of the bot's patches and PRs
  scrum-apply --help | --version

Options for run:
  --repo DIR              the repository (default: the current directory)
  --reviews PATH          review log, relative to the repo root (default data/_kb/scrum_reviews.jsonl)
  --apply                 push branches and open PRs (default: dry run, nothing pushed)
  --forge github|gitea|none
                          where PRs go (default: github when GITHUB_REPOSITORY is set,
                          gitea when GITEA_URL is set or GITEA_ACTIONS=true, else none)
  --only FILE             only this file (repeatable)
  --base BRANCH           base branch (default: config base, else origin's default branch)
  --max-files N           files per run (default 5)
  --min-confidence N      minimum review and patch confidence (default 90)
  --model NAME            patch model (default qwen3-coder:480b)
  --concurrency N         concurrent LLM requests (default 4); 1 = one file at a time
  --audit-log PATH        audit log (default .git/scrum-apply/audit.jsonl, outside the work tree)
  --json                  print the machine-readable report on stdout
  -h, --help              show this help
  -v, --version           show the version

Options for stats:
  --repo DIR              the repository whose config is read (default: the current directory)
  --audit-log PATH        an audit log to read (repeatable; default: the config's auditLog)
  --audit-db REPOSITORY   read the server's audit table in PostgreSQL (DATABASE_URL) instead,
                          for REPOSITORY: owner/name on the --forge, or github:owner/name,
                          gitea:owner/name
  --forge github|gitea|none
                          where to see what became of the PRs (default as for run);
                          none: offline, the funnel stops at "PR opened"
  --since DATE            only audit rows from DATE on (e.g. 2026-01-01)
  --by reviewer|patch-model|tier|confidence|file-kind
                          a funnel per group, beside the overall one
  --target-precision P    the share of decided PRs merged as proposed that a suggested
                          minConfidence must reach (default 0.8)
  --json | --markdown     the report as JSON, or as markdown with Mermaid charts

Environment: SCRUM_APPLY_LLM_URL (required for run), SCRUM_APPLY_LLM_KEY, SCRUM_APPLY_LLM_PROTOCOL,
GITHUB_TOKEN / GITHUB_REPOSITORY / GITHUB_API_URL, GITEA_URL / GITEA_TOKEN / GITEA_REPOSITORY,
SCRUM_APPLY_DATA_DIR, and the original script's LH_APPLIER_* aliases. Config: .github/scrum-apply.yml.
Exit codes: 0 run completed, 1 run failed, 2 usage error.`;

type ForgeChoice = 'github' | 'gitea' | 'none';

export type CliCommand =
  | { type: 'help' }
  | { type: 'version' }
  | {
      type: 'run';
      repo: string | undefined;
      apply: boolean | undefined;
      forge: ForgeChoice | undefined;
      only: string[];
      base: string | undefined;
      json: boolean;
      flags: RepoConfigInput;
    }
  | {
      type: 'stats';
      repo: string | undefined;
      /** Empty: the config's auditLog (unless auditDb). */
      auditLogs: string[];
      /** --audit-db: the repository whose rows the server's audit table gives (DATABASE_URL). */
      auditDb: string | undefined;
      forge: ForgeChoice | undefined;
      since: Date | null;
      by: GroupBy | null;
      targetPrecision: number;
      output: 'table' | 'json' | 'markdown';
    };

const RUN_ONLY = ['reviews', 'apply', 'only', 'base', 'max-files', 'min-confidence', 'model', 'concurrency'] as const;
const STATS_ONLY = ['since', 'by', 'markdown', 'target-precision', 'audit-db'] as const;

const RUN_HELP = 'scrum-apply run --help';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  repo: { type: 'string' },
  reviews: { type: 'string' },
  apply: { type: 'boolean' },
  forge: { type: 'string' },
  only: { type: 'string', multiple: true },
  base: { type: 'string' },
  'max-files': { type: 'string' },
  'min-confidence': { type: 'string' },
  model: { type: 'string' },
  concurrency: { type: 'string' },
  'audit-log': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  since: { type: 'string' },
  by: { type: 'string' },
  markdown: { type: 'boolean' },
  'target-precision': { type: 'string' },
  'audit-db': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

function isKnown(name: string): name is keyof typeof OPTIONS {
  return Object.hasOwn(OPTIONS, name);
}

function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw usageError(`${flag} must be a whole number between ${min} and ${max}, got "${value}"`, RUN_HELP);
  const n = Number(value);
  if (n < min || n > max) throw usageError(`${flag} must be between ${min} and ${max}, got ${n}`, RUN_HELP);
  return n;
}

/**
 * Node's parser, lenient (its strict messages talk about positionals and ambiguity, in its
 * words), then checked here in ours: unknown options, options missing or given a value. A
 * value may start with a dash when it is a number (`--max-files -3` is -3, refused by its range).
 */
function parse(argv: string[]) {
  const { values, positionals, tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!isKnown(token.name)) throw usageError(`unknown option ${token.rawName}`, RUN_HELP);
    const type = OPTIONS[token.name].type;
    if (type === 'boolean' && token.value !== undefined) throw usageError(`${token.rawName} takes no value`, RUN_HELP);
    if (type === 'string') {
      const separateDash = !token.inlineValue && token.value?.startsWith('-') && !/^-\d/.test(token.value);
      if (token.value === undefined || separateDash) throw usageError(`${token.rawName} needs a value`, RUN_HELP);
    }
  }
  const text = (name: keyof typeof OPTIONS): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const only = values.only;
  const auditLogs = values['audit-log'];
  return {
    positionals,
    help: values.help === true,
    version: values.version === true,
    apply: values.apply === true ? true : undefined,
    json: values.json === true,
    only: Array.isArray(only) ? only.filter((v): v is string => typeof v === 'string') : [],
    auditLogs: Array.isArray(auditLogs) ? auditLogs.filter((v): v is string => typeof v === 'string') : [],
    markdown: values.markdown === true,
    given: (name: keyof typeof OPTIONS) => values[name] !== undefined,
    text,
  };
}

export function parseCliArgs(argv: string[]): CliCommand {
  const args = parse(argv);
  const { positionals, text } = args;
  if (args.help) return { type: 'help' };
  if (args.version) return { type: 'version' };
  if (positionals.length === 0) throw usageError('missing command: try "scrum-apply run" or "scrum-apply stats"');
  const name = positionals[0];
  if (name !== 'run' && name !== 'stats') throw usageError(`unknown command "${name}"`);
  if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"`, RUN_HELP);
  const foreign = (name === 'run' ? STATS_ONLY : RUN_ONLY).find((option) => args.given(option));
  if (foreign !== undefined) throw usageError(`--${foreign} is not an option of ${name}`, RUN_HELP);
  const forge = text('forge');
  if (forge !== undefined && forge !== 'github' && forge !== 'gitea' && forge !== 'none') {
    throw usageError(`--forge must be github, gitea or none, got "${forge}"`, RUN_HELP);
  }
  const { auditLogs } = args;
  if (name === 'stats') {
    if (args.json && args.markdown) throw usageError('--json and --markdown cannot go together', RUN_HELP);
    const auditDb = text('audit-db');
    if (auditDb !== undefined && auditLogs.length > 0) throw usageError('--audit-db and --audit-log cannot go together', RUN_HELP);
    if (auditDb !== undefined && !/^((github|gitea):)?[^/:\s]+\/[^/\s]+$/.test(auditDb)) {
      throw usageError(`--audit-db must be owner/name, github:owner/name or gitea:owner/name, got "${auditDb}"`, RUN_HELP);
    }
    return {
      type: 'stats',
      repo: text('repo'),
      auditLogs,
      auditDb,
      forge,
      since: date('--since', text('since')),
      by: groupBy(text('by')),
      targetPrecision: share('--target-precision', text('target-precision')) ?? 0.8,
      output: args.json ? 'json' : args.markdown ? 'markdown' : 'table',
    };
  }
  if (auditLogs.length > 1) throw usageError('run takes one --audit-log', RUN_HELP);
  const flags: RepoConfigInput = {};
  const reviews = text('reviews');
  if (reviews !== undefined) flags.reviews = reviews;
  if (auditLogs[0] !== undefined) flags.auditLog = auditLogs[0];
  const maxFiles = wholeNumber('--max-files', text('max-files'), 1, 1000);
  if (maxFiles !== undefined) flags.maxFiles = maxFiles;
  const minConfidence = wholeNumber('--min-confidence', text('min-confidence'), 0, 100);
  if (minConfidence !== undefined) flags.minConfidence = minConfidence;
  const concurrency = wholeNumber('--concurrency', text('concurrency'), 1, 64);
  if (concurrency !== undefined) flags.concurrency = concurrency;
  const model = text('model');
  if (model !== undefined) flags.llm = { model };
  return {
    type: 'run',
    repo: text('repo'),
    apply: args.apply,
    forge,
    only: args.only,
    base: text('base'),
    json: args.json,
    flags,
  };
}

/** A date (`2026-01-01`) or date-time Date.parse understands. */
function date(flag: string, value: string | undefined): Date | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw usageError(`${flag} must be a date like 2026-01-01, got "${value}"`);
  return new Date(ms);
}

function groupBy(value: string | undefined): GroupBy | null {
  if (value === undefined) return null;
  const found = GROUP_BYS.find((by) => by === value);
  if (found === undefined) throw usageError(`--by must be one of ${GROUP_BYS.join(', ')}, got "${value}"`);
  return found;
}

/** A share above 0 and at most 1 (0.8), or a percentage above 1 and at most 100 (80). */
function share(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(n > 0 && n <= 100)) throw usageError(`${flag} must be a share like 0.8 (or a percentage like 80), got "${value}"`);
  return n > 1 ? n / 100 : n;
}
