/** How the patch model's client words a failed request, and which failures end the run. */

/** A network failure in a few words, for a file's reason. */
export function networkCause(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  const cause: unknown = error.cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : null;
  return code ? `network error (${code})` : `network error (${error.message})`;
}

/** TLS failures that no retry will cure: the server's certificate is not accepted. */
const CERT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A network failure that means nothing usable answers at the URL, in words, and whether a
 * retry could change that (a server restarting refuses connections for a moment; a name
 * that does not resolve or a blocked port stays so). Null for other failures (a reset, a
 * time-out), which stay a failure of the one request.
 */
export function unreachableCause(error: unknown, url: URL): { cause: string; retry: boolean; badPort?: true } | null {
  if (!(error instanceof Error) || !(error.cause instanceof Error)) return null;
  const cause = error.cause;
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  // fetch refuses the ports browsers block (9, 25, 6000, …) before connecting.
  if (cause.message === 'bad port') return { cause: `port ${url.port} is one fetch refuses to use (a "bad port"); choose another`, retry: false, badPort: true };
  if (code === 'ECONNREFUSED') return { cause: 'connection refused', retry: true };
  if (code === 'ENOTFOUND') return { cause: `host ${url.hostname} not found (DNS)`, retry: false };
  if (code === 'EAI_AGAIN') return { cause: `DNS lookup of ${url.hostname} failed (EAI_AGAIN)`, retry: true };
  if (code === 'EHOSTUNREACH') return { cause: 'no route to host', retry: true };
  if (code === 'ENETUNREACH') return { cause: 'network unreachable', retry: true };
  if (code !== null && CERT_CODES.has(code)) return { cause: `its TLS certificate is not accepted (${code})`, retry: false };
  return null;
}

/** What a 401, 403 or 404 says about the whole run (every request would get the same), or null. */
export function refusalHint(status: number, model: string): string | null {
  if (status === 401) return 'the API key was refused: check SCRUM_APPLY_LLM_KEY';
  if (status === 403) return 'access denied: check SCRUM_APPLY_LLM_KEY and what it may use';
  if (status === 404) return `no such model ("${model}") or endpoint: check the model name and the URL`;
  return null;
}
