import { z } from 'zod';
import type { Redactor } from '../log/redact.js';
import { buildPatchPrompt, type PromptInput } from './build-prompt.js';
import { networkCause, refusalHint, unreachableCause } from './model-failure.js';
import { ModelUnreachableError } from './model-unreachable-error.js';
import { parsePatchAnswer, type ParsedPatchAnswer } from './parse-patch-answer.js';
import type { Patch, PatchRequestResult, RejectedPatch } from './patch-types.js';
import { readCapped } from './read-capped.js';

export interface PatchModel {
  model: string;
  requestPatches(input: PromptInput, signal?: AbortSignal): Promise<PatchRequestResult>;
}

export interface PatchModelOptions {
  /** Base URL: `{url}/chat/completions` (openai) or `{url}/v1/chat` (gateway). */
  url: string;
  apiKey?: string;
  protocol: 'openai' | 'gateway';
  /** The gateway's provider name; unused by the openai protocol. */
  provider: string;
  model: string;
  /** Budget for the whole request, retries and back-off included. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Retries after the first attempt, on 429, 5xx and network errors. Default 2. */
  retries?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  redact: Redactor;
}

/** The fields we read of an OpenAI-style chat completion (the gateway answers the same way). */
const ChatResponse = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
});

const MAX_TOKENS = 4096;
const TEMPERATURE = 0.1;
const BACKOFF_BASE_MS = 1000;
const MAX_RETRY_AFTER_MS = 30_000;
/** Enough of an error body to say what went wrong. */
const ERROR_SNIPPET_BYTES = 2048;

type Attempt =
  | { kind: 'answer'; body: string }
  | { kind: 'final'; reason: string }
  /** The model cannot be used at all (ModelUnreachableError): `problem` completes "the patch model at URL …". */
  | { kind: 'unreachable'; problem: string }
  /**
   * `failure` is what happened (`HTTP 500`), `detail` what the server said, if anything;
   * `unreachable`, when nothing answered at all (connection refused), says so in words.
   */
  | { kind: 'retry'; failure: string; detail: string; waitMs: number | null; unreachable?: string };

/** `Retry-After` as milliseconds (delta seconds or an HTTP date), or null. */
function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function oneLine(text: string, max = 200): string {
  // Control characters from a remote body have no place in a log line or a PR body.
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The client for the patch model. Speaks the OpenAI chat-completions protocol (Ollama,
 * OpenRouter, vLLM, …) or the seed's gateway (`/v1/chat` with a provider). Every failure —
 * HTTP error, time-out, oversized or malformed answer — comes back as a `no_patches` result
 * with a redacted one-line reason, except one: a model that cannot be used at all (nothing
 * answers at the URL, or it refuses the key, or knows no such model) throws
 * ModelUnreachableError, from then on at once for every request of this client.
 */
export function createPatchModel(options: PatchModelOptions): PatchModel {
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(options.url);
  } catch {
    throw new Error(`the LLM URL is not a valid URL: ${oneLine(options.redact(options.url))}`);
  }
  if (parsedUrl.username || parsedUrl.password) {
    throw new Error('the LLM URL must not contain credentials; pass the key as SCRUM_APPLY_LLM_KEY');
  }
  const base = options.url.replace(/\/+$/, '');
  const endpoint = options.protocol === 'openai' ? `${base}/chat/completions` : `${base}/v1/chat`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retries = options.retries ?? 2;
  const { redact } = options;
  let unusable: ModelUnreachableError | null = null;

  function bodyFor(input: PromptInput): string {
    const { system, user } = buildPatchPrompt(input);
    // The model is outside: a secret in the review or the source must not reach it either.
    const messages = [
      { role: 'system', content: system },
      { role: 'user', content: redact(user) },
    ];
    const common = { model: options.model, messages, temperature: TEMPERATURE, max_tokens: MAX_TOKENS };
    return JSON.stringify(options.protocol === 'openai' ? common : { provider: options.provider, ...common });
  }

  /** One HTTP exchange: the answer's text, a final failure, or a failure worth retrying. */
  async function attempt(body: string, budget: AbortSignal, stopped: () => string): Promise<Attempt> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    // Per attempt, so an oversized body can be cut off without spending the whole budget.
    const cutoff = new AbortController();
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([budget, cutoff.signal]),
      });
    } catch (error) {
      if (budget.aborted) return { kind: 'final', reason: stopped() };
      const unreachable = unreachableCause(error, parsedUrl);
      if (unreachable && !unreachable.retry) return { kind: 'unreachable', problem: `cannot be reached: ${unreachable.cause}` };
      return { kind: 'retry', failure: networkCause(error), detail: '', waitMs: null, ...(unreachable ? { unreachable: unreachable.cause } : {}) };
    }
    try {
      if (response.ok) {
        const tooLarge = `model answer larger than ${options.maxResponseBytes} bytes`;
        if (Number(response.headers.get('content-length')) > options.maxResponseBytes) {
          return { kind: 'final', reason: tooLarge };
        }
        try {
          const { text, overflow } = await readCapped(response, options.maxResponseBytes);
          return overflow ? { kind: 'final', reason: tooLarge } : { kind: 'answer', body: text };
        } catch (error) {
          if (budget.aborted) return { kind: 'final', reason: stopped() };
          return { kind: 'retry', failure: `${networkCause(error)} while reading the answer`, detail: '', waitMs: null };
        }
      }
      let snippet = '';
      try {
        // Redact the whole read before cutting, so no cut leaves a partial secret the redactor
        // would not recognise; a secret cut at the read limit lies past the kept part.
        snippet = oneLine(redact((await readCapped(response, ERROR_SNIPPET_BYTES)).text).slice(0, 200));
      } catch {
        if (budget.aborted) return { kind: 'final', reason: stopped() };
      }
      if (response.status === 429 || response.status >= 500) {
        const waitMs = retryAfterMs(response.headers.get('retry-after'), Date.now());
        return { kind: 'retry', failure: `HTTP ${response.status}`, detail: snippet, waitMs };
      }
      const refusal = refusalHint(response.status, options.model);
      if (refusal) {
        return { kind: 'unreachable', problem: `refused the request: HTTP ${response.status} (${refusal})${snippet ? `: ${snippet}` : ''}` };
      }
      const hint = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
      return { kind: 'final', reason: `LLM request failed: HTTP ${response.status}${hint}${snippet ? `: ${snippet}` : ''}` };
    } finally {
      cutoff.abort();
    }
  }

  /** Attempts with back-off until an answer, a final failure, the retry limit or the budget. */
  async function request(input: PromptInput, started: number, signal?: AbortSignal): Promise<Attempt> {
    const timeout = AbortSignal.timeout(Math.max(1, Math.round(options.timeoutMs)));
    const budget = signal ? AbortSignal.any([timeout, signal]) : timeout;
    const stopped = () =>
      timeout.aborted ? `LLM request timed out after ${Math.round(options.timeoutMs / 100) / 10} s` : 'LLM request aborted';
    const body = bodyFor(input);
    for (let n = 1; ; n += 1) {
      const outcome = await attempt(body, budget, stopped);
      if (outcome.kind !== 'retry') return outcome;
      const attempts = `${n} attempt${n === 1 ? '' : 's'}`;
      const failed = `LLM request failed: ${outcome.failure} after ${attempts}`;
      const detail = outcome.detail ? `: ${outcome.detail}` : '';
      const unreachable: Attempt | null = outcome.unreachable ? { kind: 'unreachable', problem: `cannot be reached: ${outcome.unreachable} (${attempts})` } : null;
      if (n > retries) return unreachable ?? { kind: 'final', reason: failed + detail };
      const delay = Math.min(outcome.waitMs ?? BACKOFF_BASE_MS * 2 ** (n - 1), MAX_RETRY_AFTER_MS);
      if (performance.now() - started + delay >= options.timeoutMs) {
        return unreachable ?? { kind: 'final', reason: `${failed} (no time left to retry)${detail}` };
      }
      await Promise.race([sleep(delay), new Promise((resolve) => budget.addEventListener('abort', resolve, { once: true }))]);
      if (budget.aborted) return { kind: 'final', reason: stopped() };
    }
  }

  return {
    model: options.model,
    async requestPatches(input, signal) {
      if (unusable) throw unusable;
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let outcome: Attempt;
      try {
        outcome = await request(input, started, signal);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { type: 'no_patches', reason: oneLine(redact(`LLM request failed: ${message}`), 300), durationMs: elapsed() };
      }
      if (outcome.kind === 'unreachable') {
        unusable ??= new ModelUnreachableError(oneLine(redact(`the patch model at ${endpoint} ${outcome.problem}`), 400));
        throw unusable;
      }
      try {
        if (outcome.kind === 'answer') {
          // Reasons quote the answer; they go to logs and PR bodies, so they are redacted too.
          const answer = interpret(outcome.body, redact);
          return answer.type === 'patches'
            ? {
                ...withoutSecrets(answer.patches, redact, answer.rejected.map((r) => ({ ...r, reason: redact(r.reason) }))),
                durationMs: elapsed(),
              }
            : { type: 'no_patches', reason: oneLine(redact(answer.reason), 300), durationMs: elapsed() };
        }
        const reason = outcome.kind === 'final' ? outcome.reason : outcome.failure;
        return { type: 'no_patches', reason: oneLine(redact(reason), 300), durationMs: elapsed() };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { type: 'no_patches', reason: oneLine(redact(`LLM request failed: ${message}`), 300), durationMs: elapsed() };
      }
    },
  };
}

/**
 * Rationales go to commits, PR bodies and labels: redacted. A patch whose new_string adds a
 * secret (one it was shown, or one of a known token shape) would publish it: refused.
 */
function withoutSecrets(
  patches: Patch[],
  redact: Redactor,
  rejected: RejectedPatch[],
): { type: 'patches'; patches: Patch[]; rejected: RejectedPatch[] } {
  const kept: Patch[] = [];
  const refused = [...rejected];
  for (const patch of patches) {
    const rationale = redact(patch.rationale);
    const addsSecret = redact(patch.new_string) !== patch.new_string && redact(patch.old_string) === patch.old_string;
    if (addsSecret) refused.push({ reason: 'new_string adds a credential', rationale, confidence: patch.confidence });
    else kept.push({ ...patch, rationale });
  }
  return { type: 'patches', patches: kept, rejected: refused };
}

/** The chat response → the model's text → patches. */
function interpret(body: string, redact: Redactor): ParsedPatchAnswer {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { type: 'no_patches', reason: 'LLM response is not JSON' };
  }
  const parsed = ChatResponse.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'unknown';
    return { type: 'no_patches', reason: oneLine(redact(`LLM response has an unexpected shape (${where})`), 300) };
  }
  const choice = parsed.data.choices[0];
  const answer = parsePatchAnswer(choice?.message.content ?? '');
  if (answer.type === 'no_patches' && choice?.finish_reason === 'length' && answer.reason.startsWith('model answer is not JSON')) {
    return { type: 'no_patches', reason: `${answer.reason} (the answer was cut off at ${MAX_TOKENS} tokens)` };
  }
  return answer;
}
