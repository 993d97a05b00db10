import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog } from '../helpers/cli-harness.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { createGitSpy, type GitSpy } from '../helpers/git-spy.js';
import { realToolchainHomes } from '../check/check-crates.js';
import {
  botBranches,
  expectedGreenShapes,
  expectNoSecrets,
  GREEN_ANSWERS,
  inertGit,
  pushedText,
  randomGitHubToken,
  SHAPES,
  startScriptedLlm,
} from './helpers/harness.js';

/**
 * A user repository, a HOME and an environment set up to run a program at every opportunity
 * git offers: hooks (in .git/hooks, core.hooksPath, templates), core.fsmonitor, clean/smudge
 * filters and textconv named by a committed .gitattributes, LFS filters, submodules with an
 * `update = !command`, ssh/proxy/askpass/credential/pager/editor/gpg programs,
 * alternateRefsCommand, packObjectsHook, includes, and the same through global, XDG and
 * system config and GIT_* variables. Each program, if run, leaves a marker file. After a full
 * `--apply --forge none` run there is none; afterwards, as a control, the maintainer's own git
 * commands do leave markers.
 */
const HOOKS = [
  'pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'pre-rebase', 'post-checkout', 'post-merge',
  'pre-push', 'pre-receive', 'update', 'post-receive', 'post-update', 'reference-transaction', 'push-to-checkout',
  'pre-auto-gc', 'post-rewrite', 'post-index-change', 'fsmonitor-watchman', 'sendemail-validate',
];

const TOKEN = randomGitHubToken();

let repo: FixtureRepo;
let llm: LlmStandIn;
let markers: string;
let evil: string;
let hostileEnv: Record<string, string>;
let spy: GitSpy;
const saved: Record<string, string | undefined> = {};

function writeExecutable(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

function hooksDir(dir: string): string {
  for (const hook of HOOKS) writeExecutable(join(dir, hook), `#!/bin/sh\n${evil} hook-${hook}\n`);
  return dir;
}

/** The markers left so far (program names). */
function fired(): string[] {
  return existsSync(markers) ? readdirSync(markers).map((name) => name.replace(/-\d+$/, '')).sort() : [];
}

/**
 * git as the maintainer runs it: their repository config, HOME and environment all apply. Its
 * exit status is ignored: some traps (a filter that is not one) make the command fail after
 * they ran, which is all the control needs.
 */
function maintainerGit(...args: string[]): void {
  spawnSync('git', args, {
    cwd: repo.dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...hostileEnv, GIT_AUTHOR_NAME: 'M', GIT_AUTHOR_EMAIL: 'm@example.com', GIT_COMMITTER_NAME: 'M', GIT_COMMITTER_EMAIL: 'm@example.com' },
    stdio: 'ignore',
    timeout: 30_000,
  });
}

beforeEach(async () => {
  repo = createFixtureRepo({
    prefix: 'scrum-adv-git-',
    extraFiles: { '.gitattributes': '*.rs filter=evil diff=evil\n*.toml filter=evil\n*.bin filter=lfs diff=lfs merge=lfs -text\n', 'assets/blob.bin': 'version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n' },
  });
  markers = join(repo.root, 'markers');
  mkdirSync(markers);
  evil = join(repo.root, 'evil.sh');
  // Leaves a marker named after its first argument; passes stdin through (a working filter).
  writeExecutable(evil, `#!/bin/sh\ntouch "${markers}/$1-$$"\ncat\n`);
  const run = (name: string) => `${evil} ${name}`;

  // A submodule whose update command and URL would run programs.
  const head = git(repo.dir, 'rev-parse', 'HEAD').trim();
  git(repo.dir, 'update-index', '--add', '--cacheinfo', `160000,${head},vendor/sub`);
  repo.write('.gitmodules', `[submodule "sub"]\n\tpath = vendor/sub\n\turl = ext::sh -c ${evil}% submodule-url\n\tupdate = !${run('submodule-update')}\n`);
  repo.commitAll('hostile attributes and a submodule');

  // The user's repository: hooks, config and includes.
  hooksDir(join(repo.dir, '.git', 'hooks'));
  const include = join(repo.root, 'include.gitconfig');
  writeFileSync(include, `[core]\n\tfsmonitor = ${run('include-fsmonitor')}\n\thooksPath = ${hooksDir(join(repo.root, 'include-hooks'))}\n`);
  const settings: Array<[string, string]> = [
    ['core.hooksPath', hooksDir(join(repo.root, 'config-hooks'))],
    ['core.fsmonitor', run('fsmonitor')],
    ['filter.evil.smudge', run('smudge')],
    ['filter.evil.clean', run('clean')],
    ['filter.evil.required', 'true'],
    ['diff.evil.textconv', run('textconv')],
    ['diff.evil.command', run('external-diff')],
    ['core.sshCommand', run('ssh')],
    ['core.gitProxy', run('git-proxy')],
    ['core.askPass', run('askpass')],
    ['credential.helper', `!${run('credential')}`],
    ['core.pager', run('pager')],
    ['core.editor', run('editor')],
    ['gpg.program', run('gpg')],
    ['commit.gpgSign', 'true'],
    ['core.alternateRefsCommand', run('alternate-refs')],
    ['submodule.recurse', 'true'],
    ['remote.origin.uploadpack', run('uploadpack')],
    ['remote.origin.receivepack', run('receivepack')],
    ['gc.auto', '1'],
    ['include.path', include],
    [`includeIf.gitdir:${repo.dir}/.path`, include],
  ];
  for (const [key, value] of settings) inertGit(repo.dir, 'config', '--add', key, value);

  // HOME, XDG, system config and GIT_* variables of the bot's own environment.
  const home = join(repo.root, 'home');
  const globalConfig = [
    `[core]\n\thooksPath = ${hooksDir(join(repo.root, 'global-hooks'))}\n\tfsmonitor = ${run('global-fsmonitor')}\n\tsshCommand = ${run('global-ssh')}`,
    `[filter "lfs"]\n\tsmudge = ${run('lfs-smudge')}\n\tclean = ${run('lfs-clean')}\n\trequired = true`,
    `[filter "evil"]\n\tsmudge = ${run('global-smudge')}\n\tclean = ${run('global-clean')}`,
    `[uploadpack]\n\tpackObjectsHook = ${run('pack-objects-hook')}`,
    `[init]\n\ttemplateDir = ${join(repo.root, 'template')}`,
    `[credential]\n\thelper = !${run('global-credential')}`,
    `[protocol]\n\tallow = always`,
    `[trace2]\n\teventTarget = ${join(markers, 'trace2')}`,
    '',
  ].join('\n');
  hooksDir(join(repo.root, 'template', 'hooks'));
  mkdirSync(join(home, '.config', 'git'), { recursive: true });
  writeFileSync(join(home, '.gitconfig'), globalConfig);
  writeFileSync(join(home, '.config', 'git', 'config'), globalConfig.replaceAll('global-', 'xdg-'));
  writeFileSync(join(repo.root, 'system.gitconfig'), globalConfig.replaceAll('global-', 'system-'));
  hostileEnv = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_SYSTEM: join(repo.root, 'system.gitconfig'),
    GIT_CONFIG_PARAMETERS: `'core.fsmonitor'='${run('env-parameters')}'`,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'core.hooksPath',
    GIT_CONFIG_VALUE_0: hooksDir(join(repo.root, 'env-hooks')),
    GIT_SSH_COMMAND: run('env-ssh'),
    GIT_ASKPASS: run('env-askpass'),
    GIT_EXTERNAL_DIFF: run('env-external-diff'),
    GIT_TEMPLATE_DIR: join(repo.root, 'template'),
    GIT_TRACE2_EVENT: join(markers, 'trace2-env'),
  };

  writeReviewLog(repo.dir, [review(SHAPES)]);
  llm = await startScriptedLlm(GREEN_ANSWERS);
  // The bot process runs with all of it; the toolchain stays findable.
  for (const [name, value] of Object.entries({ ...hostileEnv, ...realToolchainHomes(), GITHUB_TOKEN: TOKEN })) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  spy = createGitSpy(join(repo.root, 'spy'));
  spy.install();
});

afterEach(async () => {
  spy.restore();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await llm.close();
  repo.cleanup();
});

function runBot() {
  const env = baseEnv({ ...hostileEnv, ...realToolchainHomes(), GITHUB_TOKEN: TOKEN, SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: join(repo.root, 'data') });
  return runCliCaptured(['run', '--apply', '--forge', 'none', '--audit-log', join(repo.root, 'audit.jsonl')], repo.dir, env);
}

describe('git hardening against a hostile repository, HOME and environment', () => {
  it('a full --apply run runs no hook, filter, fsmonitor or configured program; the maintainer\'s own git does', async () => {
    const result = await runBot();
    const argvs = spy.argv();
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    expect(readAudit(join(repo.root, 'audit.jsonl')).map((r) => [r.file, r.action])).toEqual([[SHAPES, 'committed']]);
    expect(botBranches(repo.origin)).toEqual([`scrum-apply/${SHAPES}`]);
    // Exactly the validated bytes: no clean filter touched the blob.
    expect(inertGit(repo.origin, 'show', `scrum-apply/${SHAPES}:${SHAPES}`)).toBe(expectedGreenShapes());

    expect(fired()).toEqual([]);
    expectNoSecrets({ stdout: result.stdout, stderr: result.stderr, audit: readFileSync(join(repo.root, 'audit.jsonl'), 'utf8'), pushed: pushedText(repo.origin) }, [TOKEN]);

    // Every git process the bot started carried the hardening, whatever its config said.
    expect(argvs.length).toBeGreaterThan(10);
    for (const argv of argvs) {
      const settings = argv.filter((_, i) => argv[i - 1] === '-c');
      expect(settings, argv.join(' ')).toEqual(
        expect.arrayContaining(['core.hooksPath=/dev/null', 'core.fsmonitor=false', 'submodule.recurse=false', 'protocol.ext.allow=never', 'credential.helper=']),
      );
    }

    // Paths and URLs (from the review log, the user's config) always follow `--` / `--end-of-options`.
    const subcommand = (argv: string[]) => argv.find((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '-c');
    const separated = { '--': ['ls-tree', 'diff', 'log', 'show', 'hash-object', 'worktree', 'remote'], '--end-of-options': ['fetch', 'push', 'ls-remote'] };
    for (const argv of argvs) {
      for (const [separator, commands] of Object.entries(separated)) {
        if (commands.includes(subcommand(argv) ?? '')) expect(argv, argv.join(' ')).toContain(separator);
      }
    }
    expect([...new Set(argvs.map(subcommand))]).toEqual(expect.arrayContaining(['cat-file', 'worktree', 'push', 'fetch']));

    // Control: the same traps are live for the maintainer's own git.
    maintainerGit('status', '--porcelain');
    maintainerGit('checkout', '-q', '-b', 'control');
    repo.write(SHAPES, '// touched\n');
    maintainerGit('commit', '-q', '-a', '-m', 'control commit', '--no-gpg-sign');
    expect(fired()).toEqual(expect.arrayContaining(['env-parameters', 'hook-post-checkout', 'hook-pre-commit', 'hook-reference-transaction', 'clean']));
  });

  it('a remote URL rewritten by the user\'s config to an ext:: command is never run', async () => {
    inertGit(repo.dir, 'config', `url.ext::sh -c ${evil}% insteadof-ext.insteadOf`, repo.origin);
    inertGit(repo.dir, 'config', `url.ext::sh -c ${evil}% pushinsteadof-ext.pushInsteadOf`, repo.origin);
    const result = await runBot();
    expect(result.code).toBe(0);
    const rows = readAudit(join(repo.root, 'audit.jsonl'));
    expect(rows.map((r) => [r.file, r.action])).toEqual([[SHAPES, 'error']]);
    expect(rows[0]?.error).toMatch(/transport 'ext' not allowed/);
    expect(fired()).toEqual([]);
  });
});
