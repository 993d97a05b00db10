import { tickedBoxes, type DashboardAction } from './dashboard.js';

/**
 * The boxes of a dashboard body as a person edits it: which were newly ticked, and the body with
 * those marked as queued. A box line stays a task-list item with its hidden comment first, so a
 * queued line still reads as the same (ticked) box.
 */

const QUEUED = ' — queued';

function keyOf(action: DashboardAction): string {
  return 'file' in action ? `${action.type} ${action.file}` : action.type;
}

/** Ticked boxes line by line: each action with whether the bot already marked it queued. */
function tickedLines(body: string): Array<{ action: DashboardAction; queued: boolean; line: number }> {
  return body.split('\n').flatMap((text, line) => {
    const [action] = tickedBoxes(text);
    return action === undefined ? [] : [{ action, queued: text.trimEnd().endsWith(QUEUED.trim()), line }];
  });
}

/**
 * The boxes ticked in `body` and not in `before` (the body before this edit). Without `before`
 * (a forge that did not say what changed) every ticked box is new. A box the bot already marked
 * "queued" is never new: that edit was the bot's own.
 */
export function newlyTickedBoxes(before: string | null, body: string): DashboardAction[] {
  const earlier = new Set(before === null ? [] : tickedLines(before).map((t) => keyOf(t.action)));
  const seen = new Set<string>();
  const fresh: DashboardAction[] = [];
  for (const { action, queued } of tickedLines(body)) {
    const key = keyOf(action);
    if (queued || earlier.has(key) || seen.has(key)) continue;
    seen.add(key);
    fresh.push(action);
  }
  return fresh;
}

/** The body with the ticked boxes of `actions` marked " — queued" (until the run rewrites the dashboard). */
export function markQueued(body: string, actions: readonly DashboardAction[]): string {
  const wanted = new Set(actions.map(keyOf));
  const lines = body.split('\n');
  for (const { action, queued, line } of tickedLines(body)) {
    if (queued || !wanted.has(keyOf(action))) continue;
    const text = lines[line] ?? '';
    // A body edited in a browser has CRLF line ends: keep them.
    lines[line] = `${text.trimEnd()}${QUEUED}${text.endsWith('\r') ? '\r' : ''}`;
  }
  return lines.join('\n');
}

/** The actions in one canonical form: two edits asking the same thing share it (the queue's key). */
export function normalizedActions(actions: readonly DashboardAction[]): string {
  return `dashboard ${[...new Set(actions.map(keyOf))].sort().join(', ')}`;
}
