/**
 * One line per run (and per lifecycle event), as text for people or as JSON
 * lines for log shippers (`--log-format json`). Lines go to stdout; nothing
 * else is printed there.
 */
export type LogFormat = 'text' | 'json';

export interface LogEvent {
  readonly level: 'info' | 'warn' | 'error';
  /** `drain`, `refresh`, `cache`, `maintain`, or a lifecycle event (`start`, `stop`, `db`). */
  readonly event: string;
  readonly target?: string;
  readonly rows?: number;
  readonly ms?: number;
  readonly message?: string;
  readonly error?: string;
  readonly [extra: string]: unknown;
}

export type Logger = (event: LogEvent) => void;

export function createLogger(format: LogFormat, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  return (event) => {
    const time = new Date().toISOString();
    if (format === 'json') {
      write(`${JSON.stringify({ time, ...event })}\n`);
      return;
    }
    const { level, event: name, target, rows, ms, message, error, ...extra } = event;
    const parts = [time, level.toUpperCase().padEnd(5), name];
    if (target !== undefined) parts.push(target);
    if (rows !== undefined) parts.push(`rows=${rows}`);
    if (ms !== undefined) parts.push(`ms=${ms}`);
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    if (message !== undefined) parts.push(message);
    if (error !== undefined) parts.push(`error: ${error}`);
    write(`${parts.join(' ')}\n`);
  };
}
