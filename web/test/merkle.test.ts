// RFC 9162 proof verification, checked against the certificate-transparency test vectors (the
// eight leaves, roots and proofs of google/certificate-transparency's merkle tree tests, also used
// by transparency-dev/merkle testonly/constants.go) and against every proof of a reference tree
// built from the RFC's own definitions (MTH, PATH, PROOF) for sizes 1..17.
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../src/lib/bytes';
import { leafHash, nodeHash, verifyConsistency, verifyInclusion } from '../src/lib/merkle';

const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => fromHex(h));

const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map((h) => fromHex(h));

const INCLUSION_VECTORS: { index: number; size: number; path: string[] }[] = [
  { index: 0, size: 1, path: [] },
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const CONSISTENCY_VECTORS: { first: number; second: number; proof: string[] }[] = [
  { first: 1, second: 1, proof: [] },
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

// Reference definitions, straight from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1.
const largestPowerOfTwoBelow = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

async function mth(leaves: Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 1) return leafHash(leaves[0]);
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(await mth(leaves.slice(0, k)), await mth(leaves.slice(k)));
}

async function inclusionPath(m: number, leaves: Uint8Array[]): Promise<Uint8Array[]> {
  if (leaves.length === 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return m < k
    ? [...(await inclusionPath(m, leaves.slice(0, k))), await mth(leaves.slice(k))]
    : [...(await inclusionPath(m - k, leaves.slice(k))), await mth(leaves.slice(0, k))];
}

async function subproof(m: number, leaves: Uint8Array[], complete: boolean): Promise<Uint8Array[]> {
  const n = leaves.length;
  if (m === n) return complete ? [] : [await mth(leaves)];
  const k = largestPowerOfTwoBelow(n);
  return m <= k
    ? [...(await subproof(m, leaves.slice(0, k), complete)), await mth(leaves.slice(k))]
    : [...(await subproof(m - k, leaves.slice(k), false)), await mth(leaves.slice(0, k))];
}

const leavesOf = (n: number) =>
  Array.from({ length: n }, (_, i) => concatBytes(new Uint8Array([i % 256, (i * 7) % 256]), LEAVES[i % 8]));

describe('RFC 9162 hashing', () => {
  it('reproduces the certificate-transparency root for every size 1..8', async () => {
    for (let n = 1; n <= 8; n++) expect(toHex(await mth(LEAVES.slice(0, n)))).toBe(toHex(ROOTS[n - 1]));
  });

  it('reference inclusion paths equal the published vectors', async () => {
    for (const v of INCLUSION_VECTORS) {
      const path = await inclusionPath(v.index, LEAVES.slice(0, v.size));
      expect(path.map(toHex)).toEqual(v.path);
    }
  });
});

describe('verifyInclusion', () => {
  it('accepts the published inclusion vectors', async () => {
    for (const v of INCLUSION_VECTORS) {
      const check = await verifyInclusion(
        v.index,
        v.size,
        await leafHash(LEAVES[v.index]),
        v.path.map((h) => fromHex(h)),
        ROOTS[v.size - 1],
      );
      expect(check).toMatchObject({ verified: true });
    }
  });

  it('accepts every leaf of every tree size 1..17, including non-powers of two', async () => {
    for (let n = 1; n <= 17; n++) {
      const leaves = leavesOf(n);
      const root = await mth(leaves);
      for (let i = 0; i < n; i++) {
        const check = await verifyInclusion(i, n, await leafHash(leaves[i]), await inclusionPath(i, leaves), root);
        expect(check.verified, `leaf ${i} of ${n}`).toBe(true);
      }
    }
  });

  it('rejects a tampered entry', async () => {
    const path = INCLUSION_VECTORS[2].path.map((h) => fromHex(h));
    const check = await verifyInclusion(5, 8, await leafHash(fromHex('40414244')), path, ROOTS[7]);
    expect(check).toMatchObject({ verified: false, reason: 'the proof leads to a different root' });
  });

  it('rejects a proof presented for the wrong index', async () => {
    const path = INCLUSION_VECTORS[2].path.map((h) => fromHex(h));
    const check = await verifyInclusion(4, 8, await leafHash(LEAVES[5]), path, ROOTS[7]);
    expect(check.verified).toBe(false);
  });

  it('rejects a proof for the wrong tree size', async () => {
    const path = INCLUSION_VECTORS[2].path.map((h) => fromHex(h));
    const check = await verifyInclusion(5, 6, await leafHash(LEAVES[5]), path, ROOTS[7]);
    expect(check.verified).toBe(false);
  });

  it('rejects a proof with an extra or a missing element', async () => {
    const path = INCLUSION_VECTORS[1].path.map((h) => fromHex(h));
    const leaf = await leafHash(LEAVES[0]);
    expect((await verifyInclusion(0, 8, leaf, [...path, ROOTS[0]], ROOTS[7])).reason).toBe(
      'inclusion proof is too long',
    );
    expect((await verifyInclusion(0, 8, leaf, path.slice(0, 2), ROOTS[7])).reason).toBe(
      'inclusion proof is too short',
    );
  });

  it('rejects an index at or beyond the tree size', async () => {
    const check = await verifyInclusion(8, 8, await leafHash(LEAVES[0]), [], ROOTS[7]);
    expect(check.reason).toBe('leaf index 8 is not below tree size 8');
  });

  it('rejects hashes that are not 32 bytes', async () => {
    const check = await verifyInclusion(0, 2, await leafHash(LEAVES[0]), [new Uint8Array(31)], ROOTS[1]);
    expect(check.reason).toBe('inclusion proof[0] is not 32 bytes');
  });
});

describe('verifyConsistency', () => {
  it('accepts the published consistency vectors', async () => {
    for (const v of CONSISTENCY_VECTORS) {
      const check = await verifyConsistency(
        v.first,
        v.second,
        ROOTS[v.first - 1],
        ROOTS[v.second - 1],
        v.proof.map((h) => fromHex(h)),
      );
      expect(check.verified, `${v.first} -> ${v.second}`).toBe(true);
    }
  });

  it('accepts every pair of sizes 1 <= m <= n <= 17', async () => {
    for (let n = 1; n <= 17; n++) {
      const leaves = leavesOf(n);
      const root = await mth(leaves);
      for (let m = 1; m <= n; m++) {
        const proof = m === n ? [] : await subproof(m, leaves, true);
        const check = await verifyConsistency(m, n, await mth(leaves.slice(0, m)), root, proof);
        expect(check.verified, `${m} -> ${n}`).toBe(true);
      }
    }
  });

  it('rejects a proof against a rewritten history', async () => {
    const v = CONSISTENCY_VECTORS[2];
    const check = await verifyConsistency(6, 8, ROOTS[4], ROOTS[7], v.proof.map((h) => fromHex(h)));
    expect(check).toMatchObject({ verified: false, reason: 'the proof does not rebuild the first root' });
  });

  it('rejects a proof against the wrong new root', async () => {
    const v = CONSISTENCY_VECTORS[3];
    const check = await verifyConsistency(2, 5, ROOTS[1], ROOTS[5], v.proof.map((h) => fromHex(h)));
    expect(check).toMatchObject({ verified: false, reason: 'the proof does not rebuild the second root' });
  });

  it('rejects a shrinking tree and an empty proof between different sizes', async () => {
    expect((await verifyConsistency(8, 6, ROOTS[7], ROOTS[5], [])).verified).toBe(false);
    expect((await verifyConsistency(6, 8, ROOTS[5], ROOTS[7], [])).reason).toBe('consistency proof is empty');
  });

  it('accepts equal sizes only with equal roots', async () => {
    expect((await verifyConsistency(3, 3, ROOTS[2], ROOTS[2], [])).verified).toBe(true);
    expect((await verifyConsistency(3, 3, ROOTS[2], ROOTS[3], [])).verified).toBe(false);
  });
});
