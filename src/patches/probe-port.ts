import { connect } from 'node:net';

/**
 * What a plain TCP connection to the URL's host and port finds, in a few words. fetch refuses
 * the ports browsers block (9, 25, 6000, …) without connecting, so "bad port" alone would hide
 * whether anything listens there: this asks the network the question fetch did not.
 */
export function probePort(url: URL, timeoutMs = 3000): Promise<'listening' | string> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: string): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done('no answer to a TCP connection'));
    socket.once('connect', () => done('listening'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') done('connection refused');
      else if (error.code === 'ENOTFOUND') done(`host ${host} not found (DNS)`);
      else done(error.code ?? error.message);
    });
  });
}
