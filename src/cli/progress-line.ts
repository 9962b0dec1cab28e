// The progress of a long command on one line of stderr: a bar, percent, counts and rate, redrawn at most
// ten times a second on a terminal. Written here rather than taken from a package (cli-progress): it is
// one redrawn line, and the bench draws its bar the same way. When stderr is not a terminal (a log, a
// pipe), each phase prints one line when it ends instead.

import type { MoveProgress } from '../store/move/move-store.ts';

const WIDTH = 30;

export function bar(fraction: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * WIDTH);
  return `[${'#'.repeat(full)}${'-'.repeat(WIDTH - full)}]`;
}

/** `redraw` rewrites the terminal's line (undefined off a terminal); `note` prints a whole line. */
export function progressLine(
  redraw: ((line: string) => void) | undefined,
  note: (text: string) => void,
  now: () => number = () => performance.now(),
): MoveProgress {
  let label = '';
  let total = 0;
  let done = 0;
  let started = 0;
  let drawn = 0;
  const text = () => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? ` · ${Math.round(done / seconds).toLocaleString('en')}/s` : '';
    const counts =
      total > 0
        ? `${bar(done / total)} ${Math.floor((100 * Math.min(done, total)) / total)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')}`
        : `${done.toLocaleString('en')}`;
    return `${label} ${counts}${rate}`;
  };
  return {
    phase(next, nextTotal) {
      label = next;
      total = nextTotal;
      done = 0;
      started = drawn = now();
      redraw?.(text());
    },
    advance(n) {
      done = n;
      if (redraw && now() - drawn >= 100) {
        drawn = now();
        redraw(text());
      }
    },
    finish() {
      if (total > 0) done = Math.max(done, total);
      if (redraw) {
        redraw(text());
        note('');
      } else note(text());
    },
  };
}
