// Merkle tree proof verification as specified by RFC 9162 (Certificate Transparency v2), §2.1:
// SHA-256, leaf hash = H(0x00 || entry), node hash = H(0x01 || left || right). The browser runs
// this itself so a user need not trust the server's claim that an entry is in the signed log.
//
// Indexes and sizes are JS numbers: exact up to 2^53, far beyond any ledger this server holds.
// Bit operations are written as arithmetic because JS `>>` truncates to 32 bits.

import { concatBytes, equalBytes } from './bytes';

export type Sha256 = (data: Uint8Array) => Promise<Uint8Array>;

/** SHA-256 through WebCrypto (browsers and Node >= 20 both provide crypto.subtle). */
export const webCryptoSha256: Sha256 = async (data) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** RFC 9162 §2.1.1: the hash of a leaf holding `entry`. */
export function leafHash(entry: Uint8Array, sha256: Sha256 = webCryptoSha256): Promise<Uint8Array> {
  return sha256(concatBytes(LEAF_PREFIX, entry));
}

/** RFC 9162 §2.1.1: the hash of an interior node. */
export function nodeHash(
  left: Uint8Array,
  right: Uint8Array,
  sha256: Sha256 = webCryptoSha256,
): Promise<Uint8Array> {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/** Why a proof was rejected; `verified` is false whenever `reason` is set. */
export interface ProofCheck {
  verified: boolean;
  reason?: string;
  /** The root the proof leads to (inclusion) or the new root it rebuilds (consistency). */
  computedRoot?: Uint8Array;
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

function isPowerOfTwo(n: number): boolean {
  while (n > 1 && !isOdd(n)) n = half(n);
  return n === 1;
}

function checkSizes(...values: [string, number][]): string | undefined {
  for (const [name, v] of values) {
    if (!Number.isSafeInteger(v) || v < 0) return `${name} must be a non-negative integer`;
  }
  return undefined;
}

function checkHashes(hashes: Uint8Array[], what: string): string | undefined {
  const bad = hashes.findIndex((h) => h.length !== 32);
  return bad >= 0 ? `${what}[${bad}] is not 32 bytes` : undefined;
}

/**
 * RFC 9162 §2.1.3.2: verifies that the leaf with hash `leaf` sits at `leafIndex` in the tree of
 * `treeSize` leaves whose root is `root`, given the inclusion path `proof` (leaf to root).
 */
export async function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
  sha256: Sha256 = webCryptoSha256,
): Promise<ProofCheck> {
  const bad =
    checkSizes(['leaf index', leafIndex], ['tree size', treeSize]) ??
    checkHashes([leaf, root], 'hash') ??
    checkHashes(proof, 'inclusion proof');
  if (bad) return { verified: false, reason: bad };
  if (leafIndex >= treeSize) {
    return { verified: false, reason: `leaf index ${leafIndex} is not below tree size ${treeSize}` };
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return { verified: false, reason: 'inclusion proof is too long' };
    if (isOdd(fn) || fn === sn) {
      r = await nodeHash(p, r, sha256);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = await nodeHash(r, p, sha256);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return { verified: false, reason: 'inclusion proof is too short', computedRoot: r };
  if (!equalBytes(r, root)) {
    return { verified: false, reason: 'the proof leads to a different root', computedRoot: r };
  }
  return { verified: true, computedRoot: r };
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of `secondSize` leaves with root `secondRoot` extends
 * (append-only) the tree of `firstSize` leaves with root `firstRoot`, given `proof`.
 * An empty first tree is consistent with any tree; equal sizes need an empty proof and equal roots.
 */
export async function verifyConsistency(
  firstSize: number,
  secondSize: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: Uint8Array[],
  sha256: Sha256 = webCryptoSha256,
): Promise<ProofCheck> {
  const bad =
    checkSizes(['first size', firstSize], ['second size', secondSize]) ??
    checkHashes([firstRoot, secondRoot], 'root') ??
    checkHashes(proof, 'consistency proof');
  if (bad) return { verified: false, reason: bad };
  if (firstSize > secondSize) {
    return { verified: false, reason: `first size ${firstSize} exceeds second size ${secondSize}` };
  }
  if (firstSize === secondSize) {
    if (proof.length !== 0) return { verified: false, reason: 'proof must be empty for equal sizes' };
    return equalBytes(firstRoot, secondRoot)
      ? { verified: true, computedRoot: secondRoot }
      : { verified: false, reason: 'equal sizes but different roots' };
  }
  if (firstSize === 0) {
    if (proof.length !== 0) return { verified: false, reason: 'proof must be empty for an empty first tree' };
    return { verified: true, computedRoot: secondRoot };
  }
  if (proof.length === 0) return { verified: false, reason: 'consistency proof is empty' };

  const path = [...proof];
  // A power-of-two first tree is a complete subtree of the second, so its root starts the path.
  if (isPowerOfTwo(firstSize)) path.unshift(firstRoot);

  let fn = firstSize - 1;
  let sn = secondSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return { verified: false, reason: 'consistency proof is too long' };
    if (isOdd(fn) || fn === sn) {
      fr = await nodeHash(c, fr, sha256);
      sr = await nodeHash(c, sr, sha256);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = await nodeHash(sr, c, sha256);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return { verified: false, reason: 'consistency proof is too short', computedRoot: sr };
  if (!equalBytes(fr, firstRoot)) {
    return { verified: false, reason: 'the proof does not rebuild the first root', computedRoot: sr };
  }
  if (!equalBytes(sr, secondRoot)) {
    return { verified: false, reason: 'the proof does not rebuild the second root', computedRoot: sr };
  }
  return { verified: true, computedRoot: sr };
}
