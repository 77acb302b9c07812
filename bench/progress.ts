/**
 * Progress of the long steps on stderr (the table goes to stdout): a live counter on a terminal, a
 * line per quarter otherwise (CI logs).
 */
import { performance } from 'node:perf_hooks';

export interface ProgressStep {
  advance(by?: number): void;
  done(summary: string): void;
}

const REDRAW_MS = 100;

export function startStep(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressStep {
  const started = performance.now();
  let count = 0;
  let drawnAt = 0;
  let quarter = 0;
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  if (!stream.isTTY) stream.write(`▸ ${label} (${total})\n`);

  return {
    advance(by = 1) {
      count += by;
      if (stream.isTTY) {
        const now = performance.now();
        if (now - drawnAt < REDRAW_MS && count < total) return;
        drawnAt = now;
        stream.write(`\r▸ ${label} ${count}/${total} (${seconds()} s)\u001b[K`);
      } else if (total > 0 && Math.floor((4 * count) / total) > quarter && count < total) {
        quarter = Math.floor((4 * count) / total);
        stream.write(`  ${label}: ${count}/${total}\n`);
      }
    },
    done(summary) {
      stream.write(
        `${stream.isTTY ? '\r' : ''}✓ ${label}: ${summary} (${seconds()} s)${stream.isTTY ? '\u001b[K' : ''}\n`,
      );
    },
  };
}
