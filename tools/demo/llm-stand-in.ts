import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in saw of one request. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The user message's text (both protocols carry `messages`). */
  prompt: string;
}

/** How to answer: a chat `content` string, or full control over status, body and timing. */
export type StandInReply =
  | string
  | {
      status?: number;
      /** Raw response body; overrides `content`. */
      body?: string;
      content?: string;
      delayMs?: number;
      headers?: Record<string, string>;
    };

export interface LlmStandIn {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that speaks both patch-model protocols
 * (`POST {url}/chat/completions` and the gateway's `POST {url}/v1/chat`) and answers
 * with whatever `reply` returns. Used by the demo, the tests and the benchmark.
 */
export async function startLlmStandIn(
  reply: (request: RecordedRequest) => StandInReply | Promise<StandInReply>,
): Promise<LlmStandIn> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let body: unknown = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = null;
        }
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          prompt: promptOf(body),
        };
        requests.push(recorded);
        const answer = await reply(recorded);
        const spec = typeof answer === 'string' ? { content: answer } : answer;
        if (spec.delayMs) await new Promise((r) => setTimeout(r, spec.delayMs));
        if (res.destroyed) return;
        const payload =
          spec.body ??
          JSON.stringify({
            choices: [{ index: 0, message: { role: 'assistant', content: spec.content ?? '' }, finish_reason: 'stop' }],
          });
        res.writeHead(spec.status ?? 200, { 'content-type': 'application/json', ...spec.headers });
        res.end(payload);
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function promptOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('messages' in body)) return '';
  const messages = (body as { messages: unknown }).messages;
  if (!Array.isArray(messages)) return '';
  return messages
    .map((m: unknown) => (typeof m === 'object' && m !== null && 'content' in m ? String((m as { content: unknown }).content) : ''))
    .join('\n');
}
