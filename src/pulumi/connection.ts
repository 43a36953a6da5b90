/** Connection URLs without their secrets, for outputs, messages and identity. */

/** `postgresql://user@host:5432/db` — the password (and any password query parameter) removed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass/i.test(key)) parsed.searchParams.delete(key);
    }
    return parsed.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

/** Replaces every occurrence of the URL's password in a message. */
export function scrub(message: string, url: string | undefined): string {
  if (!url) return message;
  let out = message.split(url).join(redactUrl(url));
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) out = out.split(password).join('***');
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}

export interface PgConnectionParts {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly database: string;
  readonly sslmode: string;
}

/** For @pulumi/postgresql's Provider, which takes the pieces rather than a URL. */
export function urlParts(url: string): PgConnectionParts {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    username: decodeURIComponent(parsed.username || 'postgres'),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    sslmode: parsed.searchParams.get('sslmode') ?? 'disable',
  };
}
