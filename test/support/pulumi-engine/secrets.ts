/**
 * Secret values as the engine handles them: wrapped with Pulumi's secret
 * signature on the wire, stripped before a dynamic provider sees them (it does
 * not accept secrets), re-marked on outputs whose same-named input was secret,
 * and encrypted in the state file (like the passphrase secrets provider).
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

export const SIG_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

type Json = unknown;

export function isSecret(value: Json): value is { value: Json } {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function wrapSecret(value: Json): Json {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** Deeply removes secret wrappers; returns the plain value and the top-level keys that held a secret. */
export function stripSecrets(props: Record<string, Json>): [Record<string, Json>, string[]] {
  const keys: string[] = [];
  const plain: Record<string, Json> = {};
  for (const [key, value] of Object.entries(props)) {
    const [unwrapped, secret] = unwrap(value);
    plain[key] = unwrapped;
    if (secret) keys.push(key);
  }
  return [plain, keys];
}

function unwrap(value: Json): [Json, boolean] {
  if (isSecret(value)) return [unwrap(value.value)[0], true];
  if (Array.isArray(value)) {
    let any = false;
    const out = value.map((v) => {
      const [u, s] = unwrap(v);
      any ||= s;
      return u;
    });
    return [out, any];
  }
  if (typeof value === 'object' && value !== null) {
    let any = false;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      const [u, s] = unwrap(v);
      any ||= s;
      out[k] = u;
    }
    return [out, any];
  }
  return [value, false];
}

export function rewrapSecrets(props: Record<string, Json>, secretKeys: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = { ...props };
  for (const key of secretKeys) if (key in out && !isSecret(out[key])) out[key] = wrapSecret(out[key]);
  return out;
}

/** Passphrase-style encryption of every secret value, for the state file. */
export class SecretsCrypter {
  private readonly key: Buffer;
  constructor(passphrase: string) {
    this.key = scryptSync(passphrase, 'pulumi-specql-simulator', 32);
  }

  encryptDeep(value: Json): Json {
    if (isSecret(value)) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const data = Buffer.concat([cipher.update(JSON.stringify(value.value), 'utf8'), cipher.final()]);
      const ciphertext = `v1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
      return { [SIG_KEY]: SECRET_SIG, ciphertext };
    }
    if (Array.isArray(value)) return value.map((v) => this.encryptDeep(v));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.encryptDeep(v)]));
    }
    return value;
  }

  decryptDeep(value: Json): Json {
    if (typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG && 'ciphertext' in value) {
      const [, iv, tag, data] = String((value as { ciphertext: string }).ciphertext).split(':');
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv!, 'base64'));
      decipher.setAuthTag(Buffer.from(tag!, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(data!, 'base64')), decipher.final()]).toString('utf8');
      return wrapSecret(JSON.parse(plain));
    }
    if (Array.isArray(value)) return value.map((v) => this.decryptDeep(v));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.decryptDeep(v)]));
    }
    return value;
  }
}
