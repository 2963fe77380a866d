// The ledger's byte formats, as defined in src/tinydata/ledger/, so the browser can hash and
// check everything itself instead of trusting the server's JSON:
//
// - Journal entry leaves (entry.h, CanonicalBytes, version 1; integers big-endian):
//     u8 0x01 | u64 id | i64 created_at_unix_seconds | u8 asset (1 AIA, 2 AGT) | u64 amount |
//     then debit_account, credit_account, reason, reference, idempotency_key, each as a u32
//     byte length followed by UTF-8 bytes. The leaf hash is SHA-256(0x00 || bytes).
// - Checkpoints (checkpoint.h): a C2SP tlog-checkpoint in a C2SP signed note,
//     "<origin>\n<size>\n<base64 root>\ntimestamp <unix seconds>\n\n— <key name> <base64(key id || sig)>\n"
//   with an Ed25519 signature over the text before the blank line; key id = the first 4 bytes of
//   SHA-256(key name || "\n" || 0x01 || public key). Verifier keys read
//   "<name>+<key id, 8 hex>+<base64(0x01 || public key)>".
//
// The JSON field names the server uses for these are read leniently (see entryFields and
// checkpointNote) so that the check depends on the bytes, not on JSON spelling.

import type { Checkpoint, LedgerEntryProof } from '../api/types';
import { concatBytes, decodeFixed, equalBytes, fromBase64, fromHex, toHex, utf8 } from './bytes';
import { webCryptoSha256, type Sha256 } from './merkle';

export class FormatError extends Error {
  override name = 'FormatError';
}

export interface EntryFields {
  id: number;
  created_at_unix_seconds: number;
  asset: 'AIA' | 'AGT';
  amount: number;
  debit_account: string;
  credit_account: string;
  reason: string;
  reference: string;
  idempotency_key: string;
}

const ASSET_CODES = { AIA: 1, AGT: 2 } as const;

/** CanonicalBytes of entry.h. Throws FormatError naming a field that cannot be encoded. */
export function encodeEntry(e: EntryFields): Uint8Array {
  const strings = [e.debit_account, e.credit_account, e.reason, e.reference, e.idempotency_key].map((s) => utf8(s));
  const out = new Uint8Array(1 + 8 + 8 + 1 + 8 + strings.reduce((n, s) => n + 4 + s.length, 0));
  const view = new DataView(out.buffer);
  const int = (v: number, field: string) => {
    if (!Number.isSafeInteger(v)) throw new FormatError(`${field} must be an integer`);
    return BigInt(v);
  };
  view.setUint8(0, 0x01);
  view.setBigUint64(1, int(e.id, 'id'));
  view.setBigInt64(9, int(e.created_at_unix_seconds, 'created_at'));
  const asset = ASSET_CODES[e.asset];
  if (!asset) throw new FormatError(`unknown asset ${String(e.asset)}`);
  view.setUint8(17, asset);
  view.setBigUint64(18, int(e.amount, 'amount'));
  let at = 26;
  for (const s of strings) {
    view.setUint32(at, s.length);
    out.set(s, at + 4);
    at += 4 + s.length;
  }
  return out;
}

/** The inverse of encodeEntry. Throws FormatError when the bytes are not a version-1 entry. */
export function decodeEntry(bytes: Uint8Array): EntryFields {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 26 || view.getUint8(0) !== 0x01) throw new FormatError('not a version 1 ledger entry');
  const asset = view.getUint8(17) === 1 ? 'AIA' : view.getUint8(17) === 2 ? 'AGT' : null;
  if (!asset) throw new FormatError(`unknown asset code ${view.getUint8(17)}`);
  let at = 26;
  const text = () => {
    if (at + 4 > bytes.length) throw new FormatError('entry bytes end early');
    const n = view.getUint32(at);
    if (at + 4 + n > bytes.length) throw new FormatError('entry bytes end early');
    const s = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at + 4, at + 4 + n));
    at += 4 + n;
    return s;
  };
  const fields: EntryFields = {
    id: Number(view.getBigUint64(1)),
    created_at_unix_seconds: Number(view.getBigInt64(9)),
    asset,
    amount: Number(view.getBigUint64(18)),
    debit_account: text(),
    credit_account: text(),
    reason: text(),
    reference: text(),
    idempotency_key: text(),
  };
  if (at !== bytes.length) throw new FormatError('trailing bytes after the entry');
  return fields;
}

function unixSeconds(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (/^-?\d+$/.test(value)) return Number(value);
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new FormatError(`${field} is not a time`);
}

/** Reads the entry's fields from the API's JSON object (C++ field names or short aliases). */
export function entryFields(entry: unknown): EntryFields {
  if (typeof entry !== 'object' || entry === null) throw new FormatError('entry is not an object');
  const e = entry as Record<string, unknown>;
  const pick = (...names: string[]) => names.map((n) => e[n]).find((v) => v !== undefined);
  const str = (field: string, ...aliases: string[]) => {
    const v = pick(field, ...aliases);
    if (typeof v !== 'string') throw new FormatError(`entry.${field} is missing`);
    return v;
  };
  const num = (field: string, ...aliases: string[]) => {
    const v = pick(field, ...aliases);
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new FormatError(`entry.${field} is missing`);
    return n;
  };
  const assetRaw = pick('asset');
  const asset = assetRaw === 1 || assetRaw === 'AIA' ? 'AIA' : assetRaw === 2 || assetRaw === 'AGT' ? 'AGT' : null;
  if (!asset) throw new FormatError('entry.asset is not AIA or AGT');
  return {
    id: num('id'),
    created_at_unix_seconds: unixSeconds(pick('created_at_unix_seconds', 'created_at'), 'entry.created_at'),
    asset,
    amount: num('amount'),
    debit_account: str('debit_account', 'debit'),
    credit_account: str('credit_account', 'credit'),
    reason: str('reason'),
    reference: str('reference', 'ref'),
    idempotency_key: str('idempotency_key'),
  };
}

/**
 * The leaf input bytes and the fields they hold. When the server sends the bytes themselves
 * (`leaf_input`, hex or base64) they are decoded and shown, so what is displayed is what is
 * hashed; otherwise the bytes are rebuilt from the entry's JSON fields.
 */
export function entryLeafInput(proof: LedgerEntryProof): { bytes: Uint8Array; fields: EntryFields } {
  const nested = typeof proof.entry === 'object' && proof.entry !== null ? (proof.entry as Record<string, unknown>) : {};
  const raw = proof.leaf_input ?? proof.canonical_bytes ?? nested.canonical_hex ?? nested.leaf_input;
  if (typeof raw === 'string') {
    const bytes = /^[0-9a-fA-F]*$/.test(raw) && raw.length % 2 === 0 ? fromHex(raw, 'leaf_input') : fromBase64(raw, 'leaf_input');
    return { bytes, fields: decodeEntry(bytes) };
  }
  const fields = entryFields(proof.entry);
  return { bytes: encodeEntry(fields), fields };
}

export interface SignedCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  timestampUnixSeconds: number | null;
  /** The exact signed text (the four note lines, final newline included). */
  text: string;
}

/** Parses the text of a tlog-checkpoint. Throws FormatError naming the line. */
export function parseCheckpointText(text: string): SignedCheckpoint {
  const lines = text.split('\n');
  if (lines.at(-1) !== '' || lines.length < 4) throw new FormatError('checkpoint text must have at least 3 lines ending in a newline');
  const [origin, size, root, ...extensions] = lines.slice(0, -1);
  if (!origin) throw new FormatError('checkpoint line 1: empty origin');
  if (!/^(0|[1-9]\d*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new FormatError('checkpoint line 2: bad tree size');
  const rootHash = fromBase64(root, 'checkpoint line 3');
  if (rootHash.length !== 32) throw new FormatError('checkpoint line 3: root hash is not 32 bytes');
  const ts = extensions.find((l) => l.startsWith('timestamp '));
  return {
    origin,
    treeSize: Number(size),
    rootHash,
    timestampUnixSeconds: ts && /^\d+$/.test(ts.slice(10)) ? Number(ts.slice(10)) : null,
    text,
  };
}

export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

/** SHA-256(name || "\n" || 0x01 || public key)[0:4]. */
export async function keyIdOf(name: string, publicKey: Uint8Array, sha256: Sha256 = webCryptoSha256): Promise<Uint8Array> {
  return (await sha256(concatBytes(utf8(name), new Uint8Array([0x0a, 0x01]), publicKey))).subarray(0, 4);
}

/** Parses "<name>+<hex8>+<base64(0x01 || key)>" and checks that the key id matches. */
export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  // The base64 part may itself contain '+', so split at the first two only.
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new FormatError('verifier key must read name+keyid+key');
  const parts = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  const typed = fromBase64(parts[2], 'verifier key');
  if (typed.length !== 33 || typed[0] !== 0x01) throw new FormatError('verifier key is not an Ed25519 key');
  const key = { name: parts[0], keyId: fromHex(parts[1], 'verifier key id'), publicKey: typed.subarray(1) };
  if (key.keyId.length !== 4 || !equalBytes(key.keyId, await keyIdOf(key.name, key.publicKey))) {
    throw new FormatError('verifier key id does not match the key');
  }
  return key;
}

export type SignatureCheck =
  | { kind: 'valid'; checkpoint: SignedCheckpoint; keyName: string }
  | { kind: 'invalid'; reason: string }
  | { kind: 'unsupported'; reason: string };

async function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean | 'unsupported'> {
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    if ((e as Error).name === 'NotSupportedError') return 'unsupported';
    return false;
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
}

/**
 * Verifies a signed checkpoint note against a public key: finds the signature line whose key id
 * matches (name, key), checks its Ed25519 signature over the note text and parses the text.
 * `expectedName`, when given, must be the signer's name.
 */
export async function verifyCheckpointNote(note: string, publicKey: Uint8Array, expectedName?: string): Promise<SignatureCheck> {
  const split = note.indexOf('\n\n');
  if (split < 0) return { kind: 'invalid', reason: 'the note has no blank line before its signatures' };
  const text = note.slice(0, split + 1);
  let checkpoint: SignedCheckpoint;
  try {
    checkpoint = parseCheckpointText(text);
  } catch (e) {
    return { kind: 'invalid', reason: (e as Error).message };
  }
  const lines = note.slice(split + 2).split('\n').filter((l) => l !== '');
  let unsupported = false;
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) return { kind: 'invalid', reason: `malformed signature line "${line.slice(0, 40)}"` };
    const [, name, b64] = m;
    if (expectedName && name !== expectedName) continue;
    let blob: Uint8Array;
    try {
      blob = fromBase64(b64, 'signature');
    } catch {
      continue;
    }
    if (blob.length !== 68 || !equalBytes(blob.subarray(0, 4), await keyIdOf(name, publicKey))) continue;
    const ok = await ed25519Verify(publicKey, blob.subarray(4), utf8(text));
    if (ok === 'unsupported') {
      unsupported = true;
      continue;
    }
    return ok
      ? { kind: 'valid', checkpoint, keyName: name }
      : { kind: 'invalid', reason: 'the signature does not match the checkpoint' };
  }
  if (unsupported) return { kind: 'unsupported', reason: 'this browser cannot check Ed25519 signatures' };
  return { kind: 'invalid', reason: 'no signature by the published key in the checkpoint' };
}

/** The public key and, when known, the signer's name from the checkpoint JSON. */
export async function checkpointKey(cp: Checkpoint): Promise<{ publicKey: Uint8Array; name?: string }> {
  const isVerifierKey = (s: string) => /^[^+\s]+\+[0-9a-fA-F]{8}\+/.test(s);
  const vk = typeof cp.verifier_key === 'string' ? cp.verifier_key : isVerifierKey(cp.public_key) ? cp.public_key : null;
  if (vk) {
    const key = await parseVerifierKey(vk);
    return { publicKey: key.publicKey, name: key.name };
  }
  const raw = cp.public_key.length === 64 ? fromHex(cp.public_key, 'public_key') : fromBase64(cp.public_key, 'public_key');
  if (raw.length === 33 && raw[0] === 0x01) return { publicKey: raw.subarray(1) };
  if (raw.length !== 32) throw new FormatError('public_key is not an Ed25519 key');
  return { publicKey: raw };
}

/**
 * The signed note behind the checkpoint JSON: the server's `note` verbatim when sent (also as
 * `signature` holding the whole note, which is how `tinydata serve` sends it), otherwise rebuilt from origin, tree_size, root_hash, timestamp and signature (64 bytes, or 68 with the key
 * id in front). Throws FormatError when neither is possible.
 */
export async function checkpointNote(cp: Checkpoint, key: { publicKey: Uint8Array; name?: string }): Promise<string> {
  const note = cp.note ?? cp.signed_note;
  if (typeof note === 'string') return note;
  if (cp.signature.includes('\n\n')) return cp.signature;
  const origin = typeof cp.origin === 'string' ? cp.origin : null;
  if (!origin) throw new FormatError('the server sent neither the signed note nor the log origin');
  const root = decodeFixed(cp.root_hash, 32, 'root_hash');
  const text = `${origin}\n${cp.tree_size}\n${btoa(String.fromCharCode(...root))}\ntimestamp ${unixSeconds(cp.timestamp, 'timestamp')}\n`;
  const sig = /^[0-9a-fA-F]+$/.test(cp.signature) ? fromHex(cp.signature, 'signature') : fromBase64(cp.signature, 'signature');
  const name = key.name ?? origin;
  const blob = sig.length === 68 ? sig : concatBytes(await keyIdOf(name, key.publicKey), sig);
  if (blob.length !== 68) throw new FormatError('signature is not an Ed25519 signature');
  return `${text}\n\u2014 ${name} ${btoa(String.fromCharCode(...blob))}\n`;
}

/**
 * Verifies the checkpoint JSON end to end: its signature, and that the JSON's tree_size and
 * root_hash are the signed ones.
 */
export async function verifyCheckpoint(cp: Checkpoint): Promise<SignatureCheck> {
  if (!crypto?.subtle) return { kind: 'unsupported', reason: 'WebCrypto needs HTTPS or localhost' };
  let result: SignatureCheck;
  try {
    const key = await checkpointKey(cp);
    result = await verifyCheckpointNote(await checkpointNote(cp, key), key.publicKey, key.name);
  } catch (e) {
    return { kind: 'invalid', reason: (e as Error).message };
  }
  if (result.kind !== 'valid') return result;
  if (result.checkpoint.treeSize !== cp.tree_size) return { kind: 'invalid', reason: 'tree_size differs from the signed one' };
  if (toHex(result.checkpoint.rootHash) !== toHex(decodeFixed(cp.root_hash, 32, 'root_hash'))) {
    return { kind: 'invalid', reason: 'root_hash differs from the signed one' };
  }
  return result;
}
