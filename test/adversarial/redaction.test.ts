import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/report/audit-log.js';
import type { AuditRow } from '../../src/report/audit-row.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor, describeError, secretsFromEnv } from '../../src/log/redact.js';
import { randomGitHubToken } from './helpers/harness.js';

/** The one redactor, on every shape a secret takes on its way out. */
const alnum = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n);
const hex40 = () => randomBytes(20).toString('hex');

/** Decoded content of every base64 run left in `text` (to look for what survived). */
function decodedRuns(text: string, alphabet: 'base64' | 'base64url'): string {
  const runs = text.match(alphabet === 'base64' ? /[A-Za-z0-9+/]{4,}/g : /[A-Za-z0-9_-]{4,}/g) ?? [];
  return runs.map((run) => Buffer.from(run, alphabet).toString('latin1')).join('\n');
}

/** True when any `n`-character piece of `secret` is in `text`. */
function holdsPiece(text: string, secret: string, n = 8): boolean {
  for (let i = 0; i + n <= secret.length; i += 1) if (text.includes(secret.slice(i, i + n))) return true;
  return false;
}

describe('token shapes redacted even when the value is not known', () => {
  it.each(['ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_'])('classic %s tokens', (prefix) => {
    const token = `${prefix}${alnum(36)}`;
    const out = createRedactor([])(`push failed: token ${token} expired`);
    expect(out).toBe('push failed: token [REDACTED] expired');
  });

  it('fine-grained github_pat_ tokens', () => {
    const token = `github_pat_${alnum(22)}_${alnum(59)}`;
    expect(createRedactor([])(`GITHUB_TOKEN=${token}\n`)).toBe('GITHUB_TOKEN=[REDACTED]\n');
  });

  it('authorization headers and credentials in URLs', () => {
    const redact = createRedactor([]);
    expect(redact('Authorization: token abcdef0123456789')).toBe('Authorization: token [REDACTED]');
    expect(redact('authorization: Basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0')).toBe('authorization: Basic [REDACTED]');
    expect(redact("fatal: unable to access 'https://x-access-token:s3cr3t-v4lue@github.com/o/r.git/'")).not.toContain('s3cr3t-v4lue');
  });
});

describe('known secrets', () => {
  it('a Gitea token (40 hex) is redacted when known; a git SHA of the same shape is not', () => {
    const token = hex40();
    const sha = hex40();
    const redact = createRedactor(secretsFromEnv({ GITEA_TOKEN: token }));
    expect(redact(`token ${token} at ${sha}`)).toBe(`token [REDACTED] at ${sha}`);
    expect(createRedactor([])(`commit ${token}`)).toBe(`commit ${token}`);
    const sha256 = randomBytes(32).toString('hex');
    expect(redact(`object ${sha256}`)).toBe(`object ${sha256}`);
  });

  it('as basic auth, base64 and base64url, also inside longer base64 text at any alignment', () => {
    const token = randomGitHubToken();
    const gitea = hex40();
    const redact = createRedactor([token, gitea]);
    for (const secret of [token, gitea]) {
      expect(redact(`Authorization: Basic ${Buffer.from(`x-access-token:${secret}`).toString('base64')}`)).not.toContain(secret.slice(4, 12));
      for (const prefix of ['', 'a', 'ab', 'abc', 'GITHUB_TOKEN=', 'HOME=/root\nGITEA_TOKEN=']) {
        const plain = `${prefix}${secret}\nPATH=/usr/bin:/bin\n`;
        for (const alphabet of ['base64', 'base64url'] as const) {
          const blob = Buffer.from(plain).toString(alphabet);
          const out = redact(`dump: ${blob}`);
          expect(out, `${alphabet} with prefix ${JSON.stringify(prefix)}`).toContain('[REDACTED]');
          expect(holdsPiece(decodedRuns(out, alphabet), secret), `${alphabet} with prefix ${JSON.stringify(prefix)}`).toBe(false);
        }
      }
    }
  });

  it('URL-encoded, and JSON-escaped as a log line carries it', () => {
    const webhook = `p@ss/w:rd+%&${alnum(10)}`;
    const redact = createRedactor(secretsFromEnv({ GITEA_WEBHOOK_SECRET: webhook }));
    expect(redact(`GET /hook?secret=${encodeURIComponent(webhook)}`)).toBe('GET /hook?secret=[REDACTED]');
    const quoted = `we"ird\\sec${alnum(10)}`;
    expect(createRedactor([quoted])(JSON.stringify({ msg: `x ${quoted} y` }))).toBe('{"msg":"x [REDACTED] y"}');
  });

  it('a multi-line private key: whole, JSON-escaped, or one line of it', () => {
    const lines = [0, 1, 2].map(() => randomBytes(48).toString('base64'));
    const pem = ['-----BEGIN RSA PRIVATE KEY-----', ...lines, '-----END RSA PRIVATE KEY-----'].join('\n');
    const redact = createRedactor(secretsFromEnv({ PRIVATE_KEY: pem }));
    expect(redact(`key: ${pem}`)).toBe('key: [REDACTED]');
    expect(redact(JSON.stringify({ key: pem }))).toBe('{"key":"[REDACTED]"}');
    for (const line of lines) expect(redact(`...${line}...`)).toBe('...[REDACTED]...');
  });

  it('every secret the bot may hold in its environment is known', () => {
    const env: NodeJS.ProcessEnv = {};
    for (const name of ['GITHUB_TOKEN', 'GH_TOKEN', 'GITEA_TOKEN', 'SCRUM_APPLY_LLM_KEY', 'PRIVATE_KEY', 'WEBHOOK_SECRET', 'GITEA_WEBHOOK_SECRET', 'GITHUB_CLIENT_SECRET', 'ACTIONS_RUNTIME_TOKEN']) {
      env[name] = `${name.toLowerCase()}-${alnum(12)}`;
    }
    const redact = createRedactor(secretsFromEnv(env));
    const text = Object.values(env).join(' ');
    expect(redact(text).split(' ').every((word) => word === '[REDACTED]')).toBe(true);
  });
});

describe('the outward channels use it', () => {
  it('the logger: nested fields, error messages, JSON-escaped values', () => {
    const token = randomGitHubToken();
    const multi = `line-one-${alnum(12)}\n"quoted"-${alnum(12)}`;
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logger = createLogger({ redact: createRedactor([token, multi]), destination, level: 'debug' });
    logger.info({ nested: { url: `https://x:${token}@h/r`, value: multi }, err: new Error(`bad ${token}`).message }, `starting with ${token}`);
    const written = chunks.join('');
    expect(written).toContain('[REDACTED]');
    expect(written).not.toContain(token);
    expect(written).not.toContain(JSON.stringify(multi).slice(1, -1));
    expect(written).not.toContain(multi.split('\n')[0]);
  });

  it('errors: one line, redacted', () => {
    const token = randomGitHubToken();
    expect(describeError(new Error(`push failed\nremote: ${token}`), createRedactor([token]))).toBe('push failed remote: [REDACTED]');
  });

  it('the audit log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scrum-adv-audit-'));
    try {
      const gitea = hex40();
      const audit = createAuditLog(join(dir, 'audit.jsonl'), createRedactor([gitea]));
      const row = { ts: 'now', file: 'a.rs', action: 'error', error: `HTTP 401 for token ${gitea}`, reason: Buffer.from(gitea).toString('base64') };
      await audit.append(row as unknown as AuditRow);
      const text = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
      expect(text).not.toContain(gitea);
      expect(text).not.toContain(Buffer.from(gitea).toString('base64'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
