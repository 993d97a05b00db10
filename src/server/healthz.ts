import type { IncomingMessage, ServerResponse } from 'node:http';

export const HEALTHZ_PATH = '/healthz';

/**
 * `GET /healthz`: liveness for the container — the process answers and its queue is known.
 * Returns true when it answered (Probot's handler convention).
 */
export function createHealthzHandler(stats: () => { queued: number; running: number }) {
  return function healthz(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (path !== HEALTHZ_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: 'ok', jobs: stats() }));
    return true;
  };
}
