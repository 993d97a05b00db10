import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileOfPrompt } from './harness.js';

/** How the model misbehaves for one file. */
export type Misbehaviour =
  | { kind: 'answer'; content: string }
  /** Announces a body larger than any cap (Content-Length) and sends it. */
  | { kind: 'huge-declared'; bytes: number }
  /** Streams a body larger than any cap without announcing its size. */
  | { kind: 'huge-streamed'; bytes: number }
  /** Accepts the request and never answers. */
  | { kind: 'silent' }
  /** Answers 200 at once, then a byte every `intervalMs`, forever. */
  | { kind: 'trickle'; intervalMs: number };

export interface HostileLlm {
  url: string;
  /** The files asked about, in order. */
  asked: string[];
  close(): Promise<void>;
}

function messageOf(body: string): string {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || !('messages' in value) || !Array.isArray(value.messages)) return '';
    return value.messages.map((m: unknown) => (typeof m === 'object' && m !== null && 'content' in m ? String(m.content) : '')).join('\n');
  } catch {
    return '';
  }
}

/** Writes `total` bytes of `x` in chunks, minding back-pressure, until done or the client leaves. */
function stream(res: ServerResponse, total: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  const pump = () => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** An OpenAI-style endpoint on 127.0.0.1 that misbehaves per file (unknown files: no patches). */
export async function startHostileLlm(plan: Record<string, Misbehaviour>): Promise<HostileLlm> {
  const asked: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const file = fileOfPrompt(messageOf(Buffer.concat(chunks).toString('utf8'))) ?? '';
      asked.push(file);
      res.on('error', () => undefined);
      const how = plan[file] ?? { kind: 'answer', content: '{"patches":[]}' };
      switch (how.kind) {
        case 'answer':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: how.content }, finish_reason: 'stop' }] }));
          return;
        case 'huge-declared':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(how.bytes) });
          stream(res, how.bytes);
          return;
        case 'huge-streamed':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"choices":[{"message":{"content":"');
          stream(res, how.bytes);
          return;
        case 'silent':
          return;
        case 'trickle': {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{');
          const timer = setInterval(() => {
            if (res.destroyed) {
              clearInterval(timer);
              timers.delete(timer);
            } else res.write(' ');
          }, how.intervalMs);
          timers.add(timer);
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
