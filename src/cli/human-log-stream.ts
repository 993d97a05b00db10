import { Writable } from 'node:stream';
import { terminalText } from '../report/terminal-text.js';

const LEVELS: Record<number, string> = { 10: 'trace: ', 20: 'debug: ', 30: '', 40: 'warning: ', 50: 'error: ', 60: 'fatal: ' };
const HIDDEN = new Set(['level', 'time', 'msg', 'run', 'file', 'pid', 'hostname']);

/** Turns pino's JSON lines into short human lines for a terminal: `scrum-apply: [file] message (k=v)`. */
export function createHumanLogStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        let entry: unknown;
        try {
          entry = JSON.parse(line);
        } catch {
          // Not a pino line (a stray write to the stream): shown as it is, made safe.
          out.write(`${terminalText(line)}\n`);
          continue;
        }
        if (typeof entry !== 'object' || entry === null) continue;
        const fields = Object.entries(entry);
        const get = (key: string) => fields.find(([k]) => k === key)?.[1];
        const level = LEVELS[Number(get('level'))] ?? '';
        const file = get('file');
        const extras = fields
          .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        const where = typeof file === 'string' ? `[${file}] ` : '';
        // Values quote remote servers, git and the review log: no raw control characters on a terminal.
        out.write(`scrum-apply: ${level}${terminalText(`${where}${String(get('msg') ?? '')}${extras ? ` (${extras})` : ''}`)}\n`);
      }
      callback();
    },
  });
}
