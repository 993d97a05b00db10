import type { StandInReply } from '../../tools/demo/llm-stand-in.js';

/**
 * A real model does not answer the same twice. This turns a recorded answer into call
 * number `call`'s: each patch's rationale worded differently, and for `shuffled` files every
 * other call another equivalent answer (only the last patch, or the patches in another order).
 */
export function varyAnswer(reply: StandInReply, call: number, shuffled: boolean): StandInReply {
  const content = typeof reply === 'string' ? reply : reply.content;
  if (content === undefined) return reply;
  let parsed: { patches?: Array<Record<string, unknown>> };
  try {
    parsed = JSON.parse(content) as { patches?: Array<Record<string, unknown>> };
  } catch {
    return reply;
  }
  let patches = (parsed.patches ?? []).map((patch, i) => ({ ...patch, rationale: `${String(patch.rationale ?? '')} (wording ${call}.${i})` }));
  if (shuffled && call % 2 === 1 && patches.length > 0) patches = patches.length > 1 ? patches.slice(-1) : [...patches].reverse();
  const varied = JSON.stringify({ patches });
  return typeof reply === 'string' ? varied : { ...reply, content: varied };
}
