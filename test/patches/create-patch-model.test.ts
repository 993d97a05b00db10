import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import { startLlmStandIn, type LlmStandIn, type StandInReply, type RecordedRequest } from '../../tools/demo/llm-stand-in.js';
import { createPatchModel, type PatchModelOptions } from '../../src/patches/create-patch-model.js';
import { ModelUnreachableError } from '../../src/patches/model-unreachable-error.js';
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

async function serve(reply: (request: RecordedRequest, index: number) => StandInReply | Promise<StandInReply>): Promise<LlmStandIn> {
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

/** A server that never answers (until it is closed). */
const never = () => new Promise<StandInReply>(() => undefined);

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
      i === 0 ? { status: 400, body: '{"error":"context too long"}' } : { status: 302, body: '', headers: { location: 'http://127.0.0.1:1/' } },
    );
    const { model, sleeps } = client(server.url);
    expect(await model.requestPatches(input)).toMatchObject({
      type: 'no_patches',
      reason: 'LLM request failed: HTTP 400: {"error":"context too long"}',
    });
    expect(await model.requestPatches(input)).toMatchObject({
      type: 'no_patches',
      reason: 'LLM request failed: HTTP 302 (redirects are not followed)',
    });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('times out on a slow reply and does not retry', async () => {
    const server = await serve(never);
    const { model, sleeps } = client(server.url, { timeoutMs: 300 });
    const result = await model.requestPatches(input);
    expect(result).toMatchObject({ type: 'no_patches', reason: 'LLM request timed out after 0.3 s' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    // The caller gives up once the request is at the server, which has not answered yet.
    const server = await serve(() => {
      controller.abort();
      return never();
    });
    const { model } = client(server.url);
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

  it('retries a refused connection, then throws ModelUnreachableError naming the URL, and from then on at once', async () => {
    const server = await serve(() => goodAnswer);
    const url = server.url;
    await server.close();
    standIn = null;
    let fetches = 0;
    const { model, sleeps } = client(`${url}/v1`, {
      fetch: (resource, init) => {
        fetches += 1;
        return fetch(resource, init);
      },
    });
    const message = `the patch model at ${url}/v1/chat/completions cannot be reached: connection refused (3 attempts)`;
    await expect(model.requestPatches(input)).rejects.toThrow(new ModelUnreachableError(message));
    expect(sleeps).toEqual([1000, 2000]);
    expect(fetches).toBe(3);
    await expect(model.requestPatches(input)).rejects.toThrow(message);
    expect(fetches).toBe(3);
  });

  it('does not retry what a retry cannot cure: an unknown host, a blocked port, a refused certificate', async () => {
    const failing = (code: string | null, message: string) => async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(message), code ? { code } : {}) });
    };
    const cases: Array<[string, PatchModelOptions['fetch'], string]> = [
      ['http://models.example.invalid/v1', failing('ENOTFOUND', 'getaddrinfo ENOTFOUND models.example.invalid'), 'host models.example.invalid not found (DNS)'],
      ['https://127.0.0.1:8443/v1', failing('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'its TLS certificate is not accepted (DEPTH_ZERO_SELF_SIGNED_CERT)'],
    ];
    for (const [url, fetchStub, cause] of cases) {
      const { model, sleeps } = client(url, { fetch: fetchStub });
      await expect(model.requestPatches(input)).rejects.toThrow(`the patch model at ${url}/chat/completions cannot be reached: ${cause}`);
      expect(sleeps).toEqual([]);
    }
  });

  it('a port fetch will not use is named as such, with what a TCP connection there finds', async () => {
    const listener = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const open = (listener.address() as { port: number }).port;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const shut = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const badPort = async () => {
      throw new TypeError('fetch failed', { cause: new Error('bad port') });
    };
    try {
      const listening = client(`http://127.0.0.1:${open}/v1`, { fetch: badPort });
      await expect(listening.model.requestPatches(input)).rejects.toThrow(
        `cannot be reached: port ${open} is one fetch refuses to use (a "bad port"); choose another`,
      );
      const refused = client(`http://127.0.0.1:${shut}/v1`, { fetch: badPort });
      await expect(refused.model.requestPatches(input)).rejects.toThrow(
        `cannot be reached: connection refused; and port ${shut} is one fetch refuses to use (a "bad port"); choose another`,
      );
      expect([...listening.sleeps, ...refused.sleeps]).toEqual([]);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it('retries other network errors and reports them for the one file', async () => {
    // Accepts connections and drops them: the server is there, this request failed.
    const sockets: Socket[] = [];
    const dropper = createServer((socket) => {
      sockets.push(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const address = dropper.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const { model, sleeps } = client(`http://127.0.0.1:${address.port}`);
      const result = await model.requestPatches(input);
      expect(result).toMatchObject({ type: 'no_patches', reason: expect.stringMatching(/^LLM request failed: network error \(\S+\) after 3 attempts$/) });
      expect(sleeps).toEqual([1000, 2000]);
      expect(sockets).toHaveLength(3);
    } finally {
      await new Promise<void>((resolve) => dropper.close(() => resolve()));
    }
  });

  it('401, 403 and 404 end the run (ModelUnreachableError), without retrying, and no later request is sent', async () => {
    const hints: Record<number, string> = {
      401: 'the API key was refused: check SCRUM_APPLY_LLM_KEY',
      403: 'access denied: check SCRUM_APPLY_LLM_KEY and what it may use',
      404: 'no such model ("qwen3-coder:480b") or endpoint: check the model name and the URL',
    };
    for (const status of [401, 403, 404]) {
      const server = await serve(() => ({ status, body: '{"error":"nope"}' }));
      const { model, sleeps } = client(server.url);
      const message = `the patch model at ${server.url}/chat/completions refused the request: HTTP ${status} (${hints[status]}): {"error":"nope"}`;
      await expect(model.requestPatches(input)).rejects.toThrow(message);
      await expect(model.requestPatches(input)).rejects.toThrow(message);
      expect(server.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
      await server.close();
      standIn = null;
    }
  });

  it('never lets the API key into a reason', async () => {
    const server = await serve((request, i) => ({
      status: i < 3 ? 500 : 401,
      body: `bad credentials: ${String(request.headers.authorization)}`,
    }));
    const { model } = client(server.url);
    const retried = await model.requestPatches(input);
    expect(retried.type).toBe('no_patches');
    expect(JSON.stringify(retried)).not.toContain(KEY);
    expect(JSON.stringify(retried)).toContain('[REDACTED]');
    const refused: unknown = await model.requestPatches(input).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ModelUnreachableError);
    expect(String(refused)).not.toContain(KEY);
    expect(String(refused)).toMatch(/refused the request: HTTP 401 \(.*\): bad credentials: Bearer \[REDACTED\]$/);
  });

  it('does not leak a key prefix when an error body is cut', async () => {
    const server = await serve(() => ({ status: 403, body: `${'x'.repeat(185)} key=${KEY} ${'y'.repeat(3000)}` }));
    const { model } = client(server.url);
    const refused: unknown = await model.requestPatches(input).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ModelUnreachableError);
    expect(String(refused)).toContain('HTTP 403');
    expect(String(refused)).not.toContain(KEY.slice(0, 6));
  });

  it('refuses a URL that carries credentials', () => {
    expect(() => client('http://user:secret@127.0.0.1:1')).toThrow('the LLM URL must not contain credentials');
    expect(() => client('not a url')).toThrow('the LLM URL is not a valid URL');
  });
});
