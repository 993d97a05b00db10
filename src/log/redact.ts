/**
 * One redaction helper for everything that leaves the process: logs, errors, PR bodies,
 * comments and the audit log.
 */

const PLACEHOLDER = '[REDACTED]';

/** Token shapes we redact even when we were not told the value. */
const TOKEN_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g,
  /\bv1\.[0-9a-f]{40}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  /(authorization:\s*(?:bearer|token|basic)\s+)[^\s"']+/gi,
  /(https?:\/\/)[^\s/@:]+(?::[^\s/@]*)?(?=@)/gi,
];

export type Redactor = (text: string) => string;

/**
 * Base64 of `secret` wherever it sits in a longer base64 text (a basic-auth header, a dumped
 * environment, a JSON blob): one stable run of characters per alignment (0, 1 or 2 bytes
 * before it), without the partial groups at either end, which depend on the bytes around it.
 */
function embeddedBase64(secret: string, alphabet: 'base64' | 'base64url'): string[] {
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret, 'utf8')]).toString(alphabet).replace(/=+$/, '');
    const start = offset === 0 ? 0 : 4;
    const bytes = offset + Buffer.byteLength(secret, 'utf8');
    const end = Math.floor(bytes / 3) * 4;
    if (end - start >= 8) forms.push(encoded.slice(start, end));
  }
  return forms;
}

/**
 * The forms a secret may take on the way out: as is, base64 (also as basic-auth, and inside
 * longer base64 text), base64url, URL-encoded, JSON-escaped (a multi-line key in a log line),
 * and each long line of a multi-line secret (a PEM key printed in part).
 */
function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  for (const user of ['x-access-token', 'oauth2', 'git', 'token', '']) {
    forms.add(b64(`${user}:${secret}`));
  }
  forms.add(b64(secret));
  forms.add(b64(secret).replace(/=+$/, ''));
  for (const form of [...embeddedBase64(secret, 'base64'), ...embeddedBase64(secret, 'base64url')]) forms.add(form);
  forms.add(encodeURIComponent(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 16) forms.add(line.trim());
  return [...forms].filter((f) => f.length >= 6);
}

export function createRedactor(secrets: Iterable<string | undefined | null>): Redactor {
  const forms = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 6))]
    .flatMap(secretForms)
    .sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const form of forms) {
      if (out.includes(form)) out = out.split(form).join(PLACEHOLDER);
    }
    for (const pattern of TOKEN_PATTERNS) {
      out = out.replace(pattern, (match, prefix: unknown) =>
        typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${PLACEHOLDER}` : PLACEHOLDER,
      );
    }
    return out;
  };
}

/** Secrets this process knows about from its environment. */
export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const names = [
    'GITHUB_TOKEN',
    'GH_TOKEN',
    'GITEA_TOKEN',
    'SCRUM_APPLY_LLM_KEY',
    'PRIVATE_KEY',
    'WEBHOOK_SECRET',
    'GITEA_WEBHOOK_SECRET',
    'CLIENT_SECRET',
    'GITHUB_CLIENT_SECRET',
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  ];
  const secrets = names.map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  const databasePassword = passwordOf(env.DATABASE_URL);
  return databasePassword === null ? secrets : [...secrets, databasePassword];
}

/** The password in a connection URL (`postgres://user:password@host/db`), if any. */
function passwordOf(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    const password = new URL(url).password;
    return password === '' ? null : decodeURIComponent(password);
  } catch {
    return null;
  }
}

/** An error's message, redacted, on one line. */
export function describeError(error: unknown, redact: Redactor): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message).replace(/\s*\n\s*/g, ' ').slice(0, 2000);
}
