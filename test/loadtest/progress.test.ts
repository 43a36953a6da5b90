/** The progress bar draws on a terminal only; percentiles by nearest rank. */
import { progressBar } from '../../src/loadtest/progress';
import { formatMs, percentile } from '../../src/loadtest/stats';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = { isTTY, text: '', write(chunk: string) { stream.text += chunk; return true; } };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

test('on a terminal the bar redraws in place and ends with a newline; elsewhere it is silent', () => {
  const tty = fakeStream(true);
  const bar = progressBar(1000, tty);
  bar.update(1000);
  bar.finish();
  expect(tty.text).toMatch(/^\r {2}\[#{30}\] 100% 1,000\/1,000 rows · [\d,]+ rows\/s \n$/);
  const pipe = fakeStream(false);
  const quiet = progressBar(1000, pipe);
  quiet.update(500);
  quiet.finish();
  expect(pipe.text).toBe('');
});

test('percentiles by nearest rank, and how times print', () => {
  const samples = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(samples, 50)).toBe(50);
  expect(percentile(samples, 99)).toBe(99);
  expect(percentile([7], 99)).toBe(7);
  expect(percentile([], 50)).toBeNaN();
  expect([formatMs(1.234), formatMs(42), formatMs(1500)]).toEqual(['1.2 ms', '42 ms', '1.50 s']);
});
