import { percent } from './funnel-lines.js';
import type { Calibration } from './stats-types.js';

/** The calibration's verdict in one sentence; `code` marks up the setting's name (markdown or plain). */
export function suggestionText(calibration: Calibration, code: (text: string) => string = (text) => text): string {
  const s = calibration.suggestion;
  const setting = code('minConfidence');
  switch (s.type) {
    case 'suggested': {
      const change =
        s.prsChange === 0
          ? `the same ${s.prs} PRs as with the current ${s.currentMinConfidence}`
          : `${Math.abs(s.prsChange)} PR${Math.abs(s.prsChange) === 1 ? '' : 's'} ${s.prsChange > 0 ? 'more' : 'fewer'} than with the current ${s.currentMinConfidence} (${s.prs} in all)`;
      return `Suggested ${setting}: ${s.minConfidence} — its PRs were merged as proposed ${percent(s.precision)} of the time (${s.decided} decided; target ${percent(calibration.targetPrecision)}); on this history, ${change}.`;
    }
    case 'too_little_data':
      return `No suggestion for ${setting} yet: no confidence bucket has ${s.needed} decided PRs (${s.decided} decided in all).`;
    case 'target_not_reached':
      return `No ${setting} reaches ${percent(calibration.targetPrecision)} precision on this history; the best is ${s.bestMinConfidence}, at ${percent(s.bestPrecision)}.`;
    case 'needs_forge':
      return `No suggestion for ${setting} without a forge: run with --forge github or gitea to see what became of the PRs.`;
  }
}
