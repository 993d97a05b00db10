import type { Redactor } from '../log/redact.js';
import { networkCause, refusalHint, unreachableCause } from './model-failure.js';
import { oneLine } from './one-line.js';
import { probePort } from './probe-port.js';
import { readCapped } from './read-capped.js';

/** Where and how a chat request goes: everything but the body. */
export interface ChatEndpoint {
  url: string;
  /** The model asked for (a 404 then names it). */
  model: string;
  apiKey?: string;
  /** Budget for the whole request, retries and back-off included. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Retries after the first attempt, on 429, 5xx and network errors. */
  retries: number;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  redact: Redactor;
}

/**
 * The answer's text, or why there is none (a one-line reason, not yet redacted as a whole),
 * or that the model cannot be used at all: `problem` completes "the patch model at URL …".
 */
export type ChatOutcome = { kind: 'answer'; body: string } | { kind: 'final'; reason: string } | { kind: 'unreachable'; problem: string };

type Attempt =
  | ChatOutcome
  /**
   * `failure` is what happened (`HTTP 500`), `detail` what the server said, if anything;
   * `unreachable`, when nothing answered at all (connection refused), says so in words.
   */
  | { kind: 'retry'; failure: string; detail: string; waitMs: number | null; unreachable?: string };

/** One attempt's view of the request: its endpoint, the whole budget and why it stopped. */
interface AttemptContext {
  endpoint: ChatEndpoint;
  body: string;
  budget: AbortSignal;
  stopped: () => string;
}

const BACKOFF_BASE_MS = 1000;
const MAX_RETRY_AFTER_MS = 30_000;
/** Enough of an error body to say what went wrong. */
const ERROR_SNIPPET_BYTES = 2048;

/**
 * POSTs `body` with back-off until an answer, a final failure, the retry limit or the budget
 * (`timeoutMs` from `started`, a `performance.now()` time, or `signal`).
 */
export async function requestChat(endpoint: ChatEndpoint, body: string, started: number, signal?: AbortSignal): Promise<ChatOutcome> {
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(endpoint.timeoutMs)));
  const budget = signal ? AbortSignal.any([timeout, signal]) : timeout;
  const stopped = () =>
    timeout.aborted ? `LLM request timed out after ${Math.round(endpoint.timeoutMs / 100) / 10} s` : 'LLM request aborted';
  const context: AttemptContext = { endpoint, body, budget, stopped };
  for (let n = 1; ; n += 1) {
    const outcome = await attempt(context);
    if (outcome.kind !== 'retry') return outcome;
    const attempts = `${n} attempt${n === 1 ? '' : 's'}`;
    const failed = `LLM request failed: ${outcome.failure} after ${attempts}`;
    const detail = outcome.detail ? `: ${outcome.detail}` : '';
    const unreachable: ChatOutcome | null = outcome.unreachable ? { kind: 'unreachable', problem: `cannot be reached: ${outcome.unreachable} (${attempts})` } : null;
    if (n > endpoint.retries) return unreachable ?? { kind: 'final', reason: failed + detail };
    const delay = Math.min(outcome.waitMs ?? BACKOFF_BASE_MS * 2 ** (n - 1), MAX_RETRY_AFTER_MS);
    if (performance.now() - started + delay >= endpoint.timeoutMs) {
      return unreachable ?? { kind: 'final', reason: `${failed} (no time left to retry)${detail}` };
    }
    await Promise.race([endpoint.sleep(delay), new Promise((resolve) => budget.addEventListener('abort', resolve, { once: true }))]);
    if (budget.aborted) return { kind: 'final', reason: stopped() };
  }
}

/** Why fetch would not use the URL's port, with what a TCP connection there finds. */
async function badPortCause(url: URL): Promise<string> {
  const found = await probePort(url);
  const blocked = `port ${url.port} is one fetch refuses to use (a "bad port"); choose another`;
  return found === 'listening' ? blocked : `${found}; and ${blocked}`;
}

/** One HTTP exchange: the answer's text, a final failure, or a failure worth retrying. */
async function attempt(context: AttemptContext): Promise<Attempt> {
  const { endpoint, budget, stopped } = context;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  // Per attempt, so an oversized body can be cut off without spending the whole budget.
  const cutoff = new AbortController();
  let response: Response;
  try {
    response = await endpoint.fetch(endpoint.url, {
      method: 'POST',
      headers,
      body: context.body,
      redirect: 'manual',
      signal: AbortSignal.any([budget, cutoff.signal]),
    });
  } catch (error) {
    if (budget.aborted) return { kind: 'final', reason: stopped() };
    const url = new URL(endpoint.url);
    const unreachable = unreachableCause(error, url);
    if (unreachable?.badPort) return { kind: 'unreachable', problem: `cannot be reached: ${await badPortCause(url)}` };
    if (unreachable && !unreachable.retry) return { kind: 'unreachable', problem: `cannot be reached: ${unreachable.cause}` };
    return { kind: 'retry', failure: networkCause(error), detail: '', waitMs: null, ...(unreachable ? { unreachable: unreachable.cause } : {}) };
  }
  try {
    return response.ok ? await readAnswer(response, context) : await readFailure(response, context);
  } finally {
    cutoff.abort();
  }
}

/** A 2xx answer's body, unless it is larger than `maxResponseBytes`. */
async function readAnswer(response: Response, { endpoint, budget, stopped }: AttemptContext): Promise<Attempt> {
  const tooLarge = `model answer larger than ${endpoint.maxResponseBytes} bytes`;
  if (Number(response.headers.get('content-length')) > endpoint.maxResponseBytes) {
    return { kind: 'final', reason: tooLarge };
  }
  try {
    const { text, overflow } = await readCapped(response, endpoint.maxResponseBytes);
    return overflow ? { kind: 'final', reason: tooLarge } : { kind: 'answer', body: text };
  } catch (error) {
    if (budget.aborted) return { kind: 'final', reason: stopped() };
    return { kind: 'retry', failure: `${networkCause(error)} while reading the answer`, detail: '', waitMs: null };
  }
}

/** Any other status: 429 and 5xx are worth retrying, the rest are final; both quote the body. */
async function readFailure(response: Response, { endpoint, budget, stopped }: AttemptContext): Promise<Attempt> {
  let snippet = '';
  try {
    // Redact the whole read before cutting, so no cut leaves a partial secret the redactor
    // would not recognise; a secret cut at the read limit lies past the kept part.
    snippet = oneLine(endpoint.redact((await readCapped(response, ERROR_SNIPPET_BYTES)).text).slice(0, 200));
  } catch {
    // The status says what failed; the body only adds detail, so a broken read leaves it out.
    if (budget.aborted) return { kind: 'final', reason: stopped() };
  }
  if (response.status === 429 || response.status >= 500) {
    const waitMs = retryAfterMs(response.headers.get('retry-after'), Date.now());
    return { kind: 'retry', failure: `HTTP ${response.status}`, detail: snippet, waitMs };
  }
  const refusal = refusalHint(response.status, endpoint.model);
  if (refusal) {
    return { kind: 'unreachable', problem: `refused the request: HTTP ${response.status} (${refusal})${snippet ? `: ${snippet}` : ''}` };
  }
  const hint = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
  return { kind: 'final', reason: `LLM request failed: HTTP ${response.status}${hint}${snippet ? `: ${snippet}` : ''}` };
}

/** `Retry-After` as milliseconds (delta seconds or an HTTP date), or null. */
function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
