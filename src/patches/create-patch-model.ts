import { z } from 'zod';
import type { Redactor } from '../log/redact.js';
import { buildPatchPrompt, type PromptInput } from './build-prompt.js';
import { ModelUnreachableError } from './model-unreachable-error.js';
import { oneLine } from './one-line.js';
import { parsePatchAnswer, type ParsedPatchAnswer } from './parse-patch-answer.js';
import type { Patch, PatchRequestResult, RejectedPatch } from './patch-types.js';
import { requestChat, type ChatEndpoint } from './request-chat.js';

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

/** A request's result before its duration is known. */
type PatchAnswer =
  | { type: 'patches'; patches: Patch[]; rejected: RejectedPatch[] }
  | { type: 'no_patches'; reason: string };

/**
 * The client for the patch model. Speaks the OpenAI chat-completions protocol (Ollama,
 * OpenRouter, vLLM, …) or the seed's gateway (`/v1/chat` with a provider). Every failure —
 * HTTP error, time-out, oversized or malformed answer — comes back as a `no_patches` result
 * with a redacted one-line reason, except one: a model that cannot be used at all (nothing
 * answers at the URL, or it refuses the key, or knows no such model) throws
 * ModelUnreachableError, from then on at once for every request of this client.
 */
export function createPatchModel(options: PatchModelOptions): PatchModel {
  const { redact } = options;
  const endpoint: ChatEndpoint = {
    url: chatUrl(options),
    model: options.model,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    retries: options.retries ?? 2,
    fetch: options.fetch ?? globalThis.fetch,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    redact,
  };
  let unusable: ModelUnreachableError | null = null;

  return {
    model: options.model,
    async requestPatches(input, signal) {
      if (unusable) throw unusable;
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let outcome: Awaited<ReturnType<typeof requestChat>>;
      try {
        outcome = await requestChat(endpoint, chatBody(options, input), started, signal);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { type: 'no_patches', reason: oneLine(redact(`LLM request failed: ${message}`), 300), durationMs: elapsed() };
      }
      if (outcome.kind === 'unreachable') {
        unusable ??= new ModelUnreachableError(oneLine(redact(`the patch model at ${endpoint.url} ${outcome.problem}`), 400));
        throw unusable;
      }
      try {
        if (outcome.kind === 'final') return { type: 'no_patches', reason: oneLine(redact(outcome.reason), 300), durationMs: elapsed() };
        return { ...patchesFrom(outcome.body, redact), durationMs: elapsed() };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { type: 'no_patches', reason: oneLine(redact(`LLM request failed: ${message}`), 300), durationMs: elapsed() };
      }
    },
  };
}

/** The chat endpoint for the protocol; a URL that is not one, or carries credentials, is a run failure. */
function chatUrl(options: PatchModelOptions): string {
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
  return options.protocol === 'openai' ? `${base}/chat/completions` : `${base}/v1/chat`;
}

function chatBody(options: PatchModelOptions, input: PromptInput): string {
  const { system, user } = buildPatchPrompt(input);
  // The model is outside: a secret in the review or the source must not reach it either.
  const messages = [
    { role: 'system', content: system },
    { role: 'user', content: options.redact(user) },
  ];
  const common = { model: options.model, messages, temperature: TEMPERATURE, max_tokens: MAX_TOKENS };
  return JSON.stringify(options.protocol === 'openai' ? common : { provider: options.provider, ...common });
}

/** The model's answer as patches; reasons quote the answer and go to logs and PR bodies, so they are redacted too. */
function patchesFrom(body: string, redact: Redactor): PatchAnswer {
  const answer = interpret(body, redact);
  if (answer.type !== 'patches') return { type: 'no_patches', reason: oneLine(redact(answer.reason), 300) };
  return withoutSecrets(answer.patches, redact, answer.rejected.map((r) => ({ ...r, reason: redact(r.reason) })));
}

/**
 * Rationales go to commits, PR bodies and labels: redacted. A patch whose new_string adds a
 * secret (one it was shown, or one of a known token shape) would publish it: refused.
 */
function withoutSecrets(
  patches: Patch[],
  redact: Redactor,
  rejected: RejectedPatch[],
): PatchAnswer & { type: 'patches' } {
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
    // The parser's message quotes the answer; the reason says what matters.
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
