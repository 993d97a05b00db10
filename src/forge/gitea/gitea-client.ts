import { z } from 'zod';
import { ForgeError } from '../types.js';
import { createRedactor, type Redactor } from '../../log/redact.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type HttpMethod = 'GET' | 'POST' | 'PATCH';

export interface GiteaRequest<T> {
  method: HttpMethod;
  /** Path under `/api/v1`, already encoded, without a query string. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Validates the JSON of a 2xx answer; it lists only the fields we read. */
  schema: z.ZodType<T>;
}

export interface GiteaResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

/** One Gitea server and token: every endpoint function goes through `request`. */
export interface GiteaClient {
  request<T>(req: GiteaRequest<T>): Promise<GiteaResponse<T>>;
}

export interface GiteaClientOptions {
  /** The server's base URL, e.g. `https://gitea.example.com` or `https://host/gitea/`. */
  url: string;
  token: string;
  fetch?: FetchLike;
  redact: Redactor;
  /** Per request; a hung server costs one item, not the run. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Enough for Gitea's error JSON; a proxy's HTML error page is cut here. */
const MAX_ERROR_DETAIL = 300;

const GiteaErrorBody = z.object({ message: z.string() });

export function createGiteaClient(options: GiteaClientOptions): GiteaClient {
  const apiBase = `${options.url.replace(/\/+$/, '')}/api/v1`;
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  // The token is redacted even when the caller's redactor was built without it.
  const ownRedact = createRedactor([options.token]);
  const redact: Redactor = (text) => ownRedact(options.redact(text));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  function fail(req: GiteaRequest<unknown>, status: number | null, detail: string, cause?: unknown): never {
    const line = `Gitea API ${req.method} ${req.path} failed: ${status ?? 'network error'} ${detail}`;
    throw new ForgeError(redact(line.replace(/\s+/g, ' ').trim()), status, cause === undefined ? undefined : { cause });
  }

  async function request<T>(req: GiteaRequest<T>): Promise<GiteaResponse<T>> {
    const url = new URL(`${apiBase}${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `token ${options.token}`,
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    let text: string;
    try {
      response = await doFetch(url.toString(), {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      // No cause attached: fetch errors can carry the request, and with it the header.
      return fail(req, null, networkReason(error).slice(0, MAX_ERROR_DETAIL));
    }

    if (!response.ok) return fail(req, response.status, errorDetail(text));

    let json: unknown;
    try {
      json = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      return fail(req, response.status, 'answered with a body that is not JSON');
    }
    const parsed = req.schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      return fail(req, response.status, `answered with an unexpected shape: ${issues}`);
    }
    return { status: response.status, data: parsed.data, headers: response.headers };
  }

  return { request };
}

/** undici says only "fetch failed"; the reason (refused, DNS, redirect, timeout) is in `cause`. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/** Gitea answers errors as `{"message": ..., "url": ...}`; anything else is shown raw, cut short. */
function errorDetail(text: string): string {
  let detail = text;
  try {
    const parsed = GiteaErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) detail = parsed.data.message;
  } catch {
    // Not JSON: keep the raw text.
  }
  detail = detail.replace(/\s+/g, ' ').trim();
  return detail.length > MAX_ERROR_DETAIL ? `${detail.slice(0, MAX_ERROR_DETAIL)}…` : detail;
}
