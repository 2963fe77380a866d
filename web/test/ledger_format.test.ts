// The ledger's byte formats, checked against vectors produced by src/tinydata/ledger itself
// (CanonicalBytes, EntryLeafHash, MerkleTreeHash and SignCheckpoint with the seed 01 02 .. 20
// and key name "tinydata.test/ledger"), so the browser and the server agree byte for byte.
import { describe, expect, it } from 'vitest';
import type { Checkpoint, LedgerEntryProof } from '../src/api/types';
import { fromBase64, toHex } from '../src/lib/bytes';
import {
  checkpointNote,
  decodeEntry,
  encodeEntry,
  entryFields,
  entryLeafInput,
  parseVerifierKey,
  verifyCheckpoint,
  verifyCheckpointNote,
  type EntryFields,
} from '../src/lib/ledger_format';
import { leafHash } from '../src/lib/merkle';

const ENTRY: EntryFields = {
  id: 42,
  created_at_unix_seconds: 1795594474,
  debit_account: 'project:3',
  credit_account: 'user:12',
  asset: 'AIA',
  amount: 25,
  reason: 'answer_reward',
  reference: 'answer:99',
  idempotency_key: 'answer_reward:99',
};
const ENTRY_BYTES_HEX =
  '01000000000000002a000000006b0698ea0100000000000000190000000970726f6a6563743a3300000007757365723a31320000000d616e737765725f72657761726400000009616e737765723a393900000010616e737765725f7265776172643a3939';
const ENTRY_LEAF_HASH = 'a51d7e69796fd8d44d99c829e0be36381c9d51035f01f97d46562aecdca267a7';

const ROOT_HEX = 'ecc78141216f96497f60b4a6fe3285ce81ace298f2b3875841341cf9e35c7b1a';
const VERIFIER_KEY = 'tinydata.test/ledger+7b2621eb+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk';
const SIGNATURE_B64 = 'eyYh62YcYuRW3PDfEv/63Pb89pmkldf7dSZe4MEoKLs1ITzZm2r6QF3OFyvQ59ATtFkiWuoAPcZk4qcdlfudF8sKwg4=';
const NOTE =
  'tinydata.test/ledger\n3\n7MeBQSFvlkl/YLSm/jKFzoGs4pjys4dYQTQc+eNcexo=\ntimestamp 1795594474\n\n' +
  `\u2014 tinydata.test/ledger ${SIGNATURE_B64}\n`;
const PUBLIC_KEY_HEX = toHex(fromBase64('AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk').subarray(1));

const proofOf = (extra: Partial<LedgerEntryProof>): LedgerEntryProof => ({ entry: {}, leaf_hash: '', inclusion_proof: [], tree_size: 3, ...extra });

describe('ledger entries', () => {
  it('encodes an entry exactly as CanonicalBytes does', () => {
    expect(toHex(encodeEntry(ENTRY))).toBe(ENTRY_BYTES_HEX);
  });

  it('hashes the canonical bytes to the server’s EntryLeafHash', async () => {
    expect(toHex(await leafHash(encodeEntry(ENTRY)))).toBe(ENTRY_LEAF_HASH);
  });

  it('decodes canonical bytes back into the fields', () => {
    expect(decodeEntry(encodeEntry(ENTRY))).toEqual(ENTRY);
  });

  it('rejects bytes with trailing garbage or a wrong version', () => {
    expect(() => decodeEntry(new Uint8Array([...encodeEntry(ENTRY), 0]))).toThrow('trailing bytes');
    expect(() => decodeEntry(new Uint8Array(30))).toThrow('not a version 1 ledger entry');
  });

  it('reads entry JSON with C++ field names or short aliases and RFC 3339 times', () => {
    const short = { id: 42, created_at: '2026-11-25T08:14:34Z', debit: 'project:3', credit: 'user:12', asset: 'AIA', amount: 25, reason: 'answer_reward', ref: 'answer:99', idempotency_key: 'answer_reward:99' };
    expect(entryFields(short)).toEqual(ENTRY);
    expect(entryFields({ ...ENTRY })).toEqual(ENTRY);
  });

  it('names the missing field of an incomplete entry', () => {
    expect(() => entryFields({ ...ENTRY, reason: undefined })).toThrow('entry.reason is missing');
  });

  it('reads the canonical bytes the server nests as entry.canonical_hex', () => {
    const { bytes, fields } = entryLeafInput(proofOf({ entry: { id: 1, canonical_hex: ENTRY_BYTES_HEX } }));
    expect(toHex(bytes)).toBe(ENTRY_BYTES_HEX);
    expect(fields).toEqual(ENTRY);
  });

  it('prefers the server’s leaf_input bytes and shows what they hold', () => {
    const { bytes, fields } = entryLeafInput(proofOf({ entry: { id: 1 }, leaf_input: ENTRY_BYTES_HEX }));
    expect(toHex(bytes)).toBe(ENTRY_BYTES_HEX);
    expect(fields).toEqual(ENTRY);
  });
});

describe('checkpoints', () => {
  it('parses a note verifier key and checks its key id', async () => {
    const key = await parseVerifierKey(VERIFIER_KEY);
    expect(key.name).toBe('tinydata.test/ledger');
    expect(toHex(key.keyId)).toBe('7b2621eb');
    await expect(parseVerifierKey(VERIFIER_KEY.replace('7b2621eb', '7b2621ec'))).rejects.toThrow('key id does not match');
  });

  it('verifies the note signed by SignCheckpoint', async () => {
    const result = await verifyCheckpointNote(NOTE, fromBase64('AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk').subarray(1));
    expect(result.kind).toBe('valid');
    if (result.kind === 'valid') {
      expect(result.checkpoint).toMatchObject({ origin: 'tinydata.test/ledger', treeSize: 3, timestampUnixSeconds: 1795594474 });
      expect(toHex(result.checkpoint.rootHash)).toBe(ROOT_HEX);
    }
  });

  it('rejects a note whose tree size was edited', async () => {
    const result = await verifyCheckpointNote(NOTE.replace('\n3\n', '\n4\n'), fromBase64('AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk').subarray(1));
    expect(result).toEqual({ kind: 'invalid', reason: 'the signature does not match the checkpoint' });
  });

  it('rejects a note signed by another key', async () => {
    const result = await verifyCheckpointNote(NOTE, new Uint8Array(32).fill(7));
    expect(result).toEqual({ kind: 'invalid', reason: 'no signature by the published key in the checkpoint' });
  });

  const json: Checkpoint = {
    origin: 'tinydata.test/ledger',
    tree_size: 3,
    root_hash: ROOT_HEX,
    timestamp: '2026-11-25T08:14:34Z',
    signature: SIGNATURE_B64,
    public_key: PUBLIC_KEY_HEX,
  };

  it('verifies checkpoint JSON that carries the note verbatim', async () => {
    expect((await verifyCheckpoint({ ...json, origin: undefined, note: NOTE, verifier_key: VERIFIER_KEY })).kind).toBe('valid');
  });

  it('verifies checkpoint JSON whose signature member is the whole note (tinydata serve)', async () => {
    expect((await verifyCheckpoint({ ...json, signature: NOTE, public_key: VERIFIER_KEY })).kind).toBe('valid');
  });

  it('rebuilds the note from JSON fields (hex key, RFC 3339 time, key id + signature)', async () => {
    expect(await checkpointNote(json, { publicKey: fromBase64('AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk').subarray(1) })).toBe(NOTE);
    expect((await verifyCheckpoint(json)).kind).toBe('valid');
  });

  it('takes a base64 typed key (0x01 || key) containing "+" as a key, not a verifier key', async () => {
    expect((await verifyCheckpoint({ ...json, public_key: 'AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk' })).kind).toBe('valid');
  });

  it('rejects JSON whose root differs from the signed note', async () => {
    const other = { ...json, note: NOTE, root_hash: ENTRY_LEAF_HASH };
    expect(await verifyCheckpoint(other)).toEqual({ kind: 'invalid', reason: 'root_hash differs from the signed one' });
  });

  it('rejects JSON with neither a note nor an origin', async () => {
    expect(await verifyCheckpoint({ ...json, origin: undefined })).toEqual({
      kind: 'invalid',
      reason: 'the server sent neither the signed note nor the log origin',
    });
  });
});
