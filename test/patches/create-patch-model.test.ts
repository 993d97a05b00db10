import { afterEach, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn, type StandInReply, type RecordedRequest } from '../../tools/demo/llm-stand-in.js';
import { createPatchModel, type PatchModelOptions } from '../../src/patches/create-patch-model.js';
import type { PromptInput } from '../../src/patches/build-prompt.js';
import { createRedactor } from '../../src/log/redact.js';

const KEY = 'test-llm-key-9f8e7d6c5b4a';

const input: PromptInput = {
  file: 'crates/report/src/format.rs',
  source: 'use geometry::Rect;\n\npub fn f() {}\n',
  reviewText: 'Add `use std::fmt;`.',
  maxPatchLines: 6,
  maxPatchesPerFile: 2,
  minConfidence: 90,
};

const patch = { old_string: 'use geometry::Rect;\n', new_string: 'use geometry::Rect;\nuse std::fmt;\n', rationale: 'import', confidence: 96 };
const goodAnswer = JSON.stringify({ patches: [patch] });

let standIn: LlmStandIn | null = null;
afterEach(async () => {
  await standIn?.close();
  standIn = null;
});

async function serve(reply: (request: RecordedRequest, index: number) => StandInReply): Promise<LlmStandIn> {
  let index = 0;
  standIn = await startLlmStandIn((request) => reply(request, index++));
  return standIn;
}

function client(url: string, overrides: Partial<PatchModelOptions> = {}) {
  const sleeps: number[] = [];
  const model = createPatchModel({
    url,
    apiKey: KEY,
    protocol: 'openai',
    provider: 'ollama_cloud',
    model: 'qwen3-coder:480b',
    timeoutMs: 20_000,
    maxResponseBytes: 1024 * 1024,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    redact: createRedactor([KEY]),
    ...overrides,
  });
  return { model, sleeps };
}

describe('createPatchModel', () => {
  it('speaks the OpenAI protocol: path, body and bearer header', async () => {
    const server = await serve(() => '```json\n' + goodAnswer + '\n```');
    const { model } = client(`${server.url}/v1/`);
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'patches', patches: [patch], rejected: [] });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(model.model).toBe('qwen3-coder:480b');
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      model: 'qwen3-coder:480b',
      messages: [
        { role: 'system', content: expect.stringContaining('mechanical patches') },
        { role: 'user', content: expect.stringContaining('use geometry::Rect;') },
      ],
      temperature: 0.1,
      max_tokens: 4096,
    });
    expect(request?.prompt).toContain('Add `use std::fmt;`.');
  });

  it('speaks the gateway protocol: /v1/chat with the provider, no header without a key', async () => {
    const server = await serve(() => goodAnswer);
    const { model } = client(server.url, { protocol: 'gateway', apiKey: undefined });
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'patches', patches: [patch] });
    expect(server.requests[0]?.path).toBe('/v1/chat');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.body).toEqual({
      provider: 'ollama_cloud',
      model: 'qwen3-coder:480b',
      messages: [
        { role: 'system', content: expect.any(String) },
        { role: 'user', content: expect.any(String) },
      ],
      temperature: 0.1,
      max_tokens: 4096,
    });
  });

  it('retries after a 500 and then succeeds', async () => {
    const server = await serve((_, i) => (i === 0 ? { status: 500, body: 'busy' } : goodAnswer));
    const { model, sleeps } = client(server.url);
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'patches', patches: [patch] });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it('gives up after three 500s with backoff 1 s, 2 s', async () => {
    const server = await serve(() => ({ status: 500, body: 'internal error' }));
    const { model, sleeps } = client(server.url);
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'no_patches', reason: 'LLM request failed: HTTP 500 after 3 attempts: internal error' });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('honours Retry-After on 429, capped at 30 s', async () => {
    const server = await serve((_, i) =>
      i === 0
        ? { status: 429, body: 'slow down', headers: { 'retry-after': '7' } }
        : i === 1
          ? { status: 429, body: '', headers: { 'retry-after': '120' } }
          : goodAnswer,
    );
    const { model, sleeps } = client(server.url, { timeoutMs: 120_000 });
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'patches', patches: [patch] });
    expect(sleeps).toEqual([7000, 30_000]);
  });

  it('does not wait past its time budget for a retry', async () => {
    const server = await serve(() => ({ status: 429, body: '', headers: { 'retry-after': '25' } }));
    const { model, sleeps } = client(server.url, { timeoutMs: 10_000 });
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'no_patches', reason: 'LLM request failed: HTTP 429 after 1 attempt (no time left to retry)' });
    expect(sleeps).toEqual([]);
  });

  it('does not retry other 4xx or follow redirects', async () => {
    const server = await serve((_, i) =>
      i === 0 ? { status: 404, body: '{"error":"model not found"}' } : { status: 302, body: '', headers: { location: 'http://127.0.0.1:1/' } },
    );
    const { model, sleeps } = client(server.url);
    expect(await model.requestPatches(input)).toMatchObject({
      type: 'no_patches',
      reason: 'LLM request failed: HTTP 404: {"error":"model not found"}',
    });
    expect(await model.requestPatches(input)).toMatchObject({
      type: 'no_patches',
      reason: 'LLM request failed: HTTP 302 (redirects are not followed)',
    });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('times out on a slow reply and does not retry', async () => {
    const server = await serve(() => ({ content: goodAnswer, delayMs: 3000 }));
    const { model, sleeps } = client(server.url, { timeoutMs: 300 });
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'no_patches', reason: 'LLM request timed out after 0.3 s' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(2500);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('stops when the caller aborts', async () => {
    const server = await serve(() => ({ content: goodAnswer, delayMs: 3000 }));
    const { model } = client(server.url);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await model.requestPatches(input, controller.signal);
    expect(result).toMatchObject({ type: 'no_patches', reason: 'LLM request aborted' });
  });

  it('refuses an answer larger than maxResponseBytes, declared or streamed', async () => {
    const big = JSON.stringify({ patches: [{ ...patch, rationale: 'x'.repeat(1900) }] });
    const server = await serve((_, i) => (i === 0 ? big : { content: big, headers: { 'transfer-encoding': 'chunked' } }));
    const { model } = client(server.url, { maxResponseBytes: 1000 });
    expect(await model.requestPatches(input)).toMatchObject({ type: 'no_patches', reason: 'model answer larger than 1000 bytes' });
    expect(await model.requestPatches(input)).toMatchObject({ type: 'no_patches', reason: 'model answer larger than 1000 bytes' });
    expect(server.requests).toHaveLength(2);
  });

  it('turns malformed responses into reasons', async () => {
    const server = await serve((_, i) =>
      [
        { body: '<html>oops' },
        { body: '{"error":"no such provider"}' },
        'I would rather not.',
        '{"patches":[]}',
        { body: JSON.stringify({ choices: [{ message: { content: '{"patches":[{"old_string":"a' }, finish_reason: 'length' }] }) },
      ][i] ?? '',
    );
    const { model } = client(server.url);
    const reasons: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const result = await model.requestPatches(input);
      reasons.push(result.type === 'no_patches' ? result.reason : 'patches');
    }
    expect(reasons[0]).toBe('LLM response is not JSON');
    expect(reasons[1]).toMatch(/^LLM response has an unexpected shape \(choices: /);
    expect(reasons[2]).toMatch(/^model answer is not JSON: /);
    expect(reasons[3]).toBe('model proposed no patches');
    expect(reasons[4]).toMatch(/^model answer is not JSON: .*\(the answer was cut off at 4096 tokens\)$/);
  });

  it('retries network errors and reports them', async () => {
    const server = await serve(() => goodAnswer);
    const url = server.url;
    await server.close();
    standIn = null;
    const { model, sleeps } = client(url);
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'no_patches', reason: 'LLM request failed: network error (ECONNREFUSED) after 3 attempts' });
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('never lets the API key into a reason', async () => {
    const server = await serve((request, i) => ({
      status: i < 3 ? 500 : 401,
      body: `bad credentials: ${String(request.headers.authorization)}`,
    }));
    const { model } = client(server.url);
    const retried = await model.requestPatches(input);
    const refused = await model.requestPatches(input);
    for (const result of [retried, refused]) {
      expect(result.type).toBe('no_patches');
      const text = JSON.stringify(result);
      expect(text).not.toContain(KEY);
      expect(text).toContain('[REDACTED]');
    }
    expect(refused).toMatchObject({ reason: expect.stringMatching(/^LLM request failed: HTTP 401: bad credentials: Bearer \[REDACTED\]$/) });
  });

  it('does not leak a key prefix when an error body is cut', async () => {
    const server = await serve(() => ({ status: 403, body: `${'x'.repeat(185)} key=${KEY} ${'y'.repeat(3000)}` }));
    const { model } = client(server.url);
    const result = await model.requestPatches(input);
    expect(result.type).toBe('no_patches');
    expect(JSON.stringify(result)).not.toContain(KEY.slice(0, 6));
  });

  it('refuses a URL that carries credentials', () => {
    expect(() => client('http://user:secret@127.0.0.1:1')).toThrow('the LLM URL must not contain credentials');
    expect(() => client('not a url')).toThrow('the LLM URL is not a valid URL');
  });
});
