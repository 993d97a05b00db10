import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueueHealth } from '../jobs/command-queue.js';

export const HEALTHZ_PATH = '/healthz';

/**
 * `GET /healthz`: liveness for the container — the process answers and its queue is known.
 * With a durable queue it also counts the whole queue (queued, running, dead-lettered) and
 * answers 503 while the database cannot be reached. Returns true when it answered (Probot's
 * handler convention).
 */
export function createHealthzHandler(stats: () => { queued: number; running: number }, queue?: () => Promise<QueueHealth>) {
  return async function healthz(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== HEALTHZ_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    let status = 200;
    let body: Record<string, unknown> = { status: 'ok', jobs: stats() };
    if (queue) {
      try {
        body = { ...body, queue: await queue() };
      } catch {
        status = 503;
        body = { ...body, status: 'database unreachable' };
      }
    }
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    return true;
  };
}
