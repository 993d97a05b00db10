import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { RepoConfigInput } from '../config/config-schema.js';
import { usageError } from './exit-error.js';

export const USAGE = `Usage:
  scrum-apply run [options]      turn high-confidence review findings into verified patches
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
  --audit-log PATH        audit log (default .git/scrum-apply/audit.jsonl: in the git
                          directory, not the work tree)
  --json                  print the machine-readable report on stdout
  -h, --help              show this help
  -v, --version           show the version

Environment: SCRUM_APPLY_LLM_URL (required), SCRUM_APPLY_LLM_KEY, SCRUM_APPLY_LLM_PROTOCOL,
GITHUB_TOKEN / GITHUB_REPOSITORY / GITHUB_API_URL, GITEA_URL / GITEA_TOKEN / GITEA_REPOSITORY,
SCRUM_APPLY_DATA_DIR, and the original script's LH_APPLIER_* aliases. Config: .github/scrum-apply.yml.
Exit codes: 0 run completed, 1 run failed, 2 usage error.`;

export type CliCommand =
  | { type: 'help' }
  | { type: 'version' }
  | {
      type: 'run';
      repo: string | undefined;
      apply: boolean | undefined;
      forge: 'github' | 'gitea' | 'none' | undefined;
      only: string[];
      base: string | undefined;
      json: boolean;
      flags: RepoConfigInput;
    };

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
  'audit-log': { type: 'string' },
  json: { type: 'boolean' },
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
  return {
    positionals,
    help: values.help === true,
    version: values.version === true,
    apply: values.apply === true ? true : undefined,
    json: values.json === true,
    only: Array.isArray(only) ? only.filter((v): v is string => typeof v === 'string') : [],
    text,
  };
}

export function parseCliArgs(argv: string[]): CliCommand {
  const args = parse(argv);
  const { positionals, text } = args;
  if (args.help) return { type: 'help' };
  if (args.version) return { type: 'version' };
  if (positionals.length === 0) throw usageError('missing command: try "scrum-apply run"');
  if (positionals[0] !== 'run') throw usageError(`unknown command "${positionals[0]}"`);
  if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"`, RUN_HELP);
  const forge = text('forge');
  if (forge !== undefined && forge !== 'github' && forge !== 'gitea' && forge !== 'none') {
    throw usageError(`--forge must be github, gitea or none, got "${forge}"`, RUN_HELP);
  }
  const flags: RepoConfigInput = {};
  const reviews = text('reviews');
  if (reviews !== undefined) flags.reviews = reviews;
  const auditLog = text('audit-log');
  if (auditLog !== undefined) flags.auditLog = auditLog;
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
