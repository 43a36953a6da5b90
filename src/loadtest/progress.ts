/** A one-line progress bar on a terminal (stderr), redrawn at most every 100 ms; silent elsewhere. */
import { formatCount } from './stats';

export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr, label = 'rows'): Progress {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined };
  const started = Date.now();
  let last = 0;
  const draw = (done: number): void => {
    const width = 30;
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(share * width);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    stream.write(`\r  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${formatCount(done)}/${formatCount(total)} ${label} · ${formatCount(rate)} ${label}/s `);
  };
  return {
    update(done: number) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done);
    },
    finish() {
      stream.write('\n');
    },
  };
}
