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

/** The forms a secret may take on the way out: as is, base64 (also as basic-auth), URL-encoded. */
function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  for (const user of ['x-access-token', 'oauth2', 'git', 'token', '']) {
    forms.add(b64(`${user}:${secret}`));
  }
  forms.add(b64(secret));
  forms.add(b64(secret).replace(/=+$/, ''));
  forms.add(encodeURIComponent(secret));
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
  ];
  return names.map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** An error's message, redacted, on one line. */
export function describeError(error: unknown, redact: Redactor): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message).replace(/\s*\n\s*/g, ' ').slice(0, 2000);
}
