import { z } from 'zod';

/** The seed's project deny list: areas that always need a human. Replaceable with `deny`. */
export const DEFAULT_DENY = [
  'config/',
  'ops/',
  'auditor/',
  'docs/',
  'data/',
  'mcp-server/',
  'ui/',
  'sidecar/',
  'scripts/',
] as const;

/**
 * Paths the bot never edits whatever the config says: git metadata, CI, toolchain and
 * build configuration. A patch there changes what runs, not what the code does.
 * Not part of `deny` (a config replaces that list): the path checker adds these itself
 * (reviews/path-safety.ts, createPathChecker), so callers pass `config.deny` as it is.
 */
export const ALWAYS_DENY = [
  '.git/',
  '.github/',
  '.gitea/',
  '.cargo/',
  'build.rs',
  '**/build.rs',
  'Cargo.toml',
  '**/Cargo.toml',
  'Cargo.lock',
  '**/Cargo.lock',
  'rust-toolchain*',
  '.gitattributes',
  '**/.gitattributes',
  '.gitmodules',
] as const;

const percent = z.number().int().min(0).max(100);
const positive = z.number().int().min(1);

export const CheckConfig = z
  .object({
    command: z.string().min(1).default('cargo check --workspace'),
    timeoutSeconds: positive.max(24 * 3600).default(900),
    sandbox: z.enum(['auto', 'bwrap', 'none']).default('auto'),
    /** Server mode refuses `sandbox: none` unless this is also set. */
    allowUnsandboxed: z.boolean().default(false),
  })
  .strict();
export type CheckConfig = z.infer<typeof CheckConfig>;

export const LlmConfig = z
  .object({
    model: z.string().min(1).default('qwen3-coder:480b'),
    url: z.string().url().optional(),
    protocol: z.enum(['openai', 'gateway']).default('openai'),
    provider: z.string().min(1).default('ollama_cloud'),
    timeoutSeconds: positive.max(3600).default(180),
    maxResponseBytes: positive.default(1024 * 1024),
    /**
     * The prompt's size in characters: a file that fits is shown whole; a larger one as the
     * regions its review points at, or skipped. Sized for today's 128k-token models (code
     * runs at about 3 characters a token), with room for the answer.
     */
    maxPromptChars: positive.min(10_000).max(4_000_000).default(300_000),
  })
  .strict();
export type LlmConfig = z.infer<typeof LlmConfig>;

/** `.github/scrum-apply.yml`. Every key is optional; unknown keys are an error. */
export const RepoConfig = z
  .object({
    reviews: z.string().min(1).default('data/_kb/scrum_reviews.jsonl'),
    /** CLI only; unset: `scrum-apply/audit.jsonl` in the repository's git directory (never the work tree). */
    auditLog: z.string().min(1).optional(),
    base: z.string().min(1).optional(),
    minConfidence: percent.default(90),
    minFindingConfidence: percent.default(70),
    excludeTiers: z.array(z.string()).default(['block', 'simulation']),
    maxFiles: positive.max(1000).default(5),
    maxPatchesPerFile: positive.max(20).default(2),
    maxPatchLines: positive.max(100).default(6),
    maxOpenPrs: z.number().int().min(0).default(10),
    /** New PRs per hour across runs, counted from the forge's PR list; 0: no limit. */
    prHourlyLimit: z.number().int().min(0).default(0),
    /**
     * When an open PR is rebuilt on a moved base: `conflicted` only when its file changed at
     * the base, `behind-base` whenever the base moved, `never`.
     */
    rebaseWhen: z.enum(['conflicted', 'behind-base', 'never']).default('conflicted'),
    /** A PR carrying this label is never touched again. */
    stopLabel: z.string().min(1).max(50).default('scrum-apply:stop'),
    maxReviewLineBytes: positive.default(1024 * 1024),
    maxReviewRows: positive.default(10_000_000),
    deny: z.array(z.string().min(1)).default([...DEFAULT_DENY]),
    check: CheckConfig.default(CheckConfig.parse({})),
    llm: LlmConfig.default(LlmConfig.parse({})),
    branchPrefix: z
      .string()
      .min(1)
      .max(60)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*\/$/, 'must be letters, digits, ._- and end with "/"')
      .default('scrum-apply/'),
    pr: z.object({ draft: z.boolean().default(false) }).strict().default({ draft: false }),
    labels: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
    concurrency: positive.max(64).default(4),
    /** The dashboard issue (one per repository), written after every applied run with a forge. */
    dashboard: z.boolean().default(true),
    dashboardTitle: z.string().trim().min(1).max(200).default('scrum-apply dashboard'),
  })
  .strict();
export type RepoConfig = z.infer<typeof RepoConfig>;
/** What a config file may contain before defaults are filled in. */
export type RepoConfigInput = z.input<typeof RepoConfig>;
