// Byte helpers shared by the ledger verifier: hex and base64 codecs, concatenation, comparison.

export class EncodingError extends Error {
  override name = 'EncodingError';
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Decodes hex (either case). Throws EncodingError naming `what` on odd length or a non-hex digit. */
export function fromHex(hex: string, what = 'hex string'): Uint8Array {
  if (hex.length % 2 !== 0) throw new EncodingError(`${what}: odd number of hex digits`);
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new EncodingError(`${what}: not hex`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Decodes standard or URL-safe base64 (padding optional). Throws EncodingError naming `what`. */
export function fromBase64(text: string, what = 'base64 string'): Uint8Array {
  const normalized = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(normalized) || normalized.length % 4 === 1) {
    throw new EncodingError(`${what}: not base64`);
  }
  const binary = atob(normalized + '='.repeat((4 - (normalized.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Decodes a fixed-size binary value the server may send as hex or base64 (hex is tried first
 * when the length fits). Throws EncodingError naming `what` when neither gives `size` bytes.
 */
export function decodeFixed(text: string, size: number, what: string): Uint8Array {
  if (text.length === 2 * size && /^[0-9a-fA-F]*$/.test(text)) return fromHex(text, what);
  const bytes = fromBase64(text, what);
  if (bytes.length !== size) {
    throw new EncodingError(`${what}: expected ${size} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
