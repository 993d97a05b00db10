import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/log/redact.js';
import { createRepoCache } from '../../src/jobs/repo-cache.js';
import type { RepoRef } from '../../src/jobs/repo-ref.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { createGitSpy } from '../helpers/git-spy.js';
import { captureLogger } from '../helpers/github-mocks.js';
import { randomToken } from '../helpers/github-e2e.js';
import { startGitHttpServer, type GitHttpServer } from '../git/git-http-server.js';

const REF: RepoRef = { forge: 'github', owner: 'acme', repo: 'widgets' };

let repo: FixtureRepo | null = null;
let server: GitHttpServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  repo?.cleanup();
  repo = null;
});

/** The fixture's bare origin at `<root>/srv/acme/widgets.git`: a SCRUM_APPLY_GIT_BASE_URL directory. */
function setUp() {
  repo = createFixtureRepo({ prefix: 'scrum-apply-cache-' });
  const base = join(repo.root, 'srv');
  mkdirSync(join(base, 'acme'), { recursive: true });
  symlinkSync(repo.origin, join(base, 'acme', 'widgets.git'));
  const dataDir = join(repo.root, 'data');
  const { logger } = captureLogger([]);
  return { repo, base, dataDir, cache: createRepoCache({ dataDir, logger }) };
}

const noRedact = createRedactor([]);

describe('the repository cache', () => {
  it('clones the first time and leaves a clean detached checkout of the default branch', async () => {
    const { repo: fixture, base, dataDir, cache } = setUp();
    const synced = await cache.sync({ ref: REF, baseUrl: base, branch: 'main', auth: null, redact: noRedact });
    expect(synced.dir).toBe(join(dataDir, 'repos', 'github', 'acme', 'widgets'));
    expect(synced.sha).toBe(git(fixture.dir, 'rev-parse', 'HEAD').trim());
    expect(git(synced.dir, 'rev-parse', 'HEAD').trim()).toBe(synced.sha);
    expect(git(synced.dir, 'status', '--porcelain', '--ignored').trim()).toBe('');
    expect(git(synced.dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('HEAD');
    expect(existsSync(join(synced.dir, 'Cargo.toml'))).toBe(true);
    expect(git(synced.dir, 'tag', '-l').trim()).toBe('');
    // No half-made clone is left beside it.
    expect(readdirSync(join(dataDir, 'repos', 'github', 'acme'))).toEqual(['widgets']);
  });

  it('fetches later runs: new commits arrive, local changes and stray files are wiped', async () => {
    const { repo: fixture, base, cache } = setUp();
    const first = await cache.sync({ ref: REF, baseUrl: base, branch: 'main', auth: null, redact: noRedact });
    writeFileSync(join(first.dir, 'Cargo.toml'), 'tampered\n');
    writeFileSync(join(first.dir, 'stray.txt'), 'left over\n');
    mkdirSync(join(first.dir, 'target'), { recursive: true });
    writeFileSync(join(first.dir, 'target', 'junk'), 'x');
    fixture.write('NEW.md', 'new\n');
    const head = fixture.commitAll('a new commit');
    git(fixture.dir, 'push', '-q', 'origin', 'HEAD:refs/heads/scrum-apply/x');

    const second = await cache.sync({ ref: REF, baseUrl: base, branch: 'main', auth: null, redact: noRedact });
    expect(second).toEqual({ dir: first.dir, sha: head });
    expect(readFileSync(join(second.dir, 'NEW.md'), 'utf8')).toBe('new\n');
    expect(git(second.dir, 'status', '--porcelain', '--ignored').trim()).toBe('');
    expect(existsSync(join(second.dir, 'stray.txt'))).toBe(false);

    // A branch deleted upstream is pruned.
    git(fixture.dir, 'push', '-q', 'origin', ':refs/heads/scrum-apply/x');
    const third = await cache.sync({ ref: REF, baseUrl: base, branch: 'main', auth: null, redact: noRedact });
    expect(git(third.dir, 'branch', '-r').includes('scrum-apply/x')).toBe(false);
  });

  it('replaces a directory at the clone path that is not a clone, and follows a changed base URL', async () => {
    const { base, dataDir, cache } = setUp();
    const dir = join(dataDir, 'repos', 'github', 'acme', 'widgets');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'leftover'), 'x');
    const synced = await cache.sync({ ref: REF, baseUrl: base, branch: 'main', auth: null, redact: noRedact });
    expect(existsSync(join(dir, 'leftover'))).toBe(false);
    expect(git(dir, 'remote', 'get-url', 'origin').trim()).toBe(join(base, 'acme', 'widgets.git'));

    const mirror = join(dataDir, '..', 'mirror');
    mkdirSync(join(mirror, 'acme'), { recursive: true });
    symlinkSync(join(base, 'acme', 'widgets.git'), join(mirror, 'acme', 'widgets.git'));
    const again = await cache.sync({ ref: REF, baseUrl: mirror, branch: 'main', auth: null, redact: noRedact });
    expect(again.sha).toBe(synced.sha);
    expect(git(dir, 'remote', 'get-url', 'origin').trim()).toBe(join(mirror, 'acme', 'widgets.git'));
  });

  it('refuses a repository over the size limit and removes its clone', async () => {
    const { base, dataDir } = setUp();
    const cache = createRepoCache({ dataDir, logger: captureLogger([]).logger, maxBytes: 20_000 });
    await expect(cache.sync({ ref: REF, baseUrl: base, branch: 'main', auth: null, redact: noRedact })).rejects.toThrow(
      /larger than the server's limit of 1 MiB \(SCRUM_APPLY_MAX_REPO_BYTES\); its clone was removed/,
    );
    expect(existsSync(join(dataDir, 'repos', 'github', 'acme', 'widgets'))).toBe(false);
  });

  it('says which branch is missing, and refuses a branch name that could be an option', async () => {
    const { base, cache } = setUp();
    await expect(cache.sync({ ref: REF, baseUrl: base, branch: 'trunk', auth: null, redact: noRedact })).rejects.toThrow(
      /finding origin\/trunk failed/,
    );
    await expect(cache.sync({ ref: REF, baseUrl: base, branch: '--upload-pack=x', auth: null, redact: noRedact })).rejects.toThrow(
      /not one scrum-apply can use/,
    );
  });

  it('clones over authenticated HTTP with the token in git’s environment only: never argv, URL or .git/config', async () => {
    const { repo: fixture, dataDir, cache } = setUp();
    const token = randomToken();
    // git http-backend serves <root>/srv/acme/*.git at http://127.0.0.1:<port>/acme/…, asking for exactly this token.
    server = await startGitHttpServer(join(fixture.root, 'srv', 'acme'), { username: 'x-access-token', token });
    const baseUrl = server.url.replace(/\/acme$/, '');
    const spy = createGitSpy(join(fixture.root, 'spy'));
    spy.install();
    try {
      const redact = createRedactor([token]);
      const auth = { username: 'x-access-token', token };
      await cache.sync({ ref: REF, baseUrl, branch: 'main', auth, redact });
      fixture.write('MORE.md', 'more\n');
      const head = fixture.commitAll('more');
      expect((await cache.sync({ ref: REF, baseUrl, branch: 'main', auth, redact })).sha).toBe(head);
      // Without the token the server says no, and the error carries no secret.
      await expect(cache.sync({ ref: REF, baseUrl, branch: 'main', auth: null, redact })).rejects.toThrow(/fetching github:acme\/widgets failed/);
    } finally {
      spy.restore();
    }
    const argv = spy.argv();
    expect(argv.some((args) => args.includes('clone'))).toBe(true);
    expect(argv.some((args) => args.includes('fetch'))).toBe(true);
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    for (const args of argv) expect(args.join(' ')).not.toMatch(new RegExp(`${token}|${basic}`));
    const config = readFileSync(join(dataDir, 'repos', 'github', 'acme', 'widgets', '.git', 'config'), 'utf8');
    expect(config).toContain(`url = ${baseUrl}/acme/widgets.git`);
    expect(config.includes(token) || config.includes(basic)).toBe(false);
    expect(spy.configs().includes(token) || spy.configs().includes(basic)).toBe(false);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => !r.url.includes(token))).toBe(true);
  });
});
