import { parseArgs } from 'node:util';
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
  --audit-log PATH        audit log (default data/_kb/auto_apply.jsonl in the repo)
  --json                  print the machine-readable report on stdout
  -h, --help              show this help
  -v, --version           show the version

Environment: SCRUM_APPLY_LLM_URL (required), SCRUM_APPLY_LLM_KEY, SCRUM_APPLY_LLM_PROTOCOL,
GITHUB_TOKEN / GITHUB_REPOSITORY / GITHUB_API_URL, GITEA_URL / GITEA_TOKEN / GITEA_REPOSITORY,
SCRUM_APPLY_DATA_DIR, and the seed's LH_APPLIER_* aliases. Config: .github/scrum-apply.yml.
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

function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`${flag} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw usageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function parseCliArgs(argv: string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
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
      },
    });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message.split('\n')[0] ?? 'bad arguments' : 'bad arguments');
  }
  const { values, positionals } = parsed;
  if (values.help) return { type: 'help' };
  if (values.version) return { type: 'version' };
  if (positionals.length === 0) throw usageError('missing command: try "scrum-apply run"');
  if (positionals[0] !== 'run') throw usageError(`unknown command "${positionals[0]}"`);
  if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"`);
  const forge = values.forge;
  if (forge !== undefined && forge !== 'github' && forge !== 'gitea' && forge !== 'none') {
    throw usageError(`--forge must be github, gitea or none, got "${forge}"`);
  }
  const flags: RepoConfigInput = {};
  if (values.reviews !== undefined) flags.reviews = values.reviews;
  if (values['audit-log'] !== undefined) flags.auditLog = values['audit-log'];
  const maxFiles = wholeNumber('--max-files', values['max-files'], 1, 1000);
  if (maxFiles !== undefined) flags.maxFiles = maxFiles;
  const minConfidence = wholeNumber('--min-confidence', values['min-confidence'], 0, 100);
  if (minConfidence !== undefined) flags.minConfidence = minConfidence;
  const concurrency = wholeNumber('--concurrency', values.concurrency, 1, 64);
  if (concurrency !== undefined) flags.concurrency = concurrency;
  if (values.model !== undefined) flags.llm = { model: values.model };
  return {
    type: 'run',
    repo: values.repo,
    apply: values.apply,
    forge,
    only: values.only ?? [],
    base: values.base,
    json: values.json ?? false,
    flags,
  };
}
