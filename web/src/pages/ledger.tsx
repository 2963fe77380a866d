// Ledger explorer: the latest signed checkpoint, append-only checks against the last checkpoint
// this browser saw, and entry lookup with the inclusion proof verified here, in the browser.

import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Checkpoint, LedgerEntryProof } from '../api/types';
import { Alert, errorText } from '../components/ui';
import { equalBytes, toHex } from '../lib/bytes';
import { decodeFixed } from '../lib/bytes';
import { entryLeafInput, verifyCheckpoint, type EntryFields, type SignatureCheck } from '../lib/ledger_format';
import { leafHash, verifyConsistency, verifyInclusion } from '../lib/merkle';
import { api } from '../session';

const rootHashOf = (cp: { root_hash: string }) => decodeFixed(cp.root_hash, 32, 'root_hash');
const hashList = (hashes: string[], what: string) => hashes.map((h, i) => decodeFixed(h, 32, `${what}[${i}]`));

const SEEN_KEY = 'tinydata.ledger.last_checkpoint';
const KEY_PIN = 'tinydata.ledger.public_key';

type Step = { ok: boolean | null; label: string; detail?: string };

function StepList(props: { steps: Step[]; testId: string }) {
  return (
    <ol class="steps" data-testid={props.testId}>
      {props.steps.map((s, i) => (
        <li key={i} class={s.ok === null ? 'step-info' : s.ok ? 'step-ok' : 'step-fail'}>
          <span class="step-icon" aria-hidden="true">
            {s.ok === null ? '•' : s.ok ? '✓' : '✗'}
          </span>
          <span class="visually-hidden">{s.ok === null ? 'Note:' : s.ok ? 'Passed:' : 'Failed:'}</span>
          <span>
            {s.label}
            {s.detail && <code class="hash">{s.detail}</code>}
          </span>
        </li>
      ))}
    </ol>
  );
}

async function checkCheckpoint(cp: Checkpoint): Promise<{ steps: Step[]; signature: SignatureCheck }> {
  const steps: Step[] = [];
  const signature = await verifyCheckpoint(cp);
  steps.push({
    ok: signature.kind === 'valid' ? true : signature.kind === 'unsupported' ? null : false,
    label:
      signature.kind === 'valid'
        ? `Ed25519 signature by “${signature.keyName}” verified in your browser: ${signature.checkpoint.treeSize} entries under this root`
        : `Signature ${signature.kind === 'unsupported' ? 'not checked' : 'INVALID'}: ${signature.reason}`,
  });
  const pinned = localStorage.getItem(KEY_PIN);
  if (!pinned) {
    localStorage.setItem(KEY_PIN, cp.public_key);
    steps.push({ ok: null, label: 'Signing key remembered on this device (first visit); you will be warned if it ever changes', detail: cp.public_key });
  } else {
    steps.push(
      pinned === cp.public_key
        ? { ok: true, label: 'Same signing key as on your earlier visits', detail: cp.public_key }
        : { ok: false, label: 'The signing key CHANGED since your last visit', detail: `${pinned} → ${cp.public_key}` },
    );
  }
  const seenRaw = localStorage.getItem(SEEN_KEY);
  const seen = seenRaw ? (JSON.parse(seenRaw) as { tree_size: number; root_hash: string }) : null;
  if (seen && seen.tree_size > 0 && cp.tree_size >= seen.tree_size) {
    try {
      const proof = seen.tree_size === cp.tree_size ? { proof: [] as string[] } : await api.consistency(seen.tree_size, cp.tree_size);
      const check = await verifyConsistency(
        seen.tree_size,
        cp.tree_size,
        rootHashOf(seen as Checkpoint),
        rootHashOf(cp),
        hashList(proof.proof, 'consistency proof'),
      );
      steps.push({
        ok: check.verified,
        label: check.verified
          ? `Append-only since your last visit: the tree of ${seen.tree_size} entries is a prefix of this one (consistency proof checked)`
          : `History rewritten? Consistency with your last visit (size ${seen.tree_size}) failed: ${check.reason}`,
      });
    } catch (e) {
      steps.push({ ok: false, label: `Could not check consistency with size ${seen.tree_size}: ${errorText(e)}` });
    }
  } else if (seen && cp.tree_size < seen.tree_size) {
    steps.push({ ok: false, label: `The log SHRANK: you saw ${seen.tree_size} entries before, now ${cp.tree_size}` });
  }
  if (signature.kind === 'valid' && steps.every((s) => s.ok !== false)) {
    localStorage.setItem(SEEN_KEY, JSON.stringify({ tree_size: cp.tree_size, root_hash: cp.root_hash }));
  }
  return { steps, signature };
}

async function checkEntry(index: number, cp: Checkpoint, proof: LedgerEntryProof): Promise<{ steps: Step[]; fields: EntryFields | null }> {
  const steps: Step[] = [];
  let leafInput: { bytes: Uint8Array; fields: EntryFields };
  try {
    leafInput = entryLeafInput(proof);
  } catch (e) {
    return { steps: [{ ok: false, label: `The entry cannot be serialized: ${(e as Error).message}` }], fields: null };
  }
  const computedLeaf = await leafHash(leafInput.bytes);
  const claimedLeaf = hashList([proof.leaf_hash], 'leaf_hash')[0];
  steps.push({
    ok: equalBytes(computedLeaf, claimedLeaf),
    label: equalBytes(computedLeaf, claimedLeaf)
      ? `Leaf hash computed here over the entry’s ${leafInput.bytes.length} canonical bytes, SHA-256(0x00 ‖ entry), matches the server’s`
      : 'Leaf hash computed here differs from the server’s: the entry is not what was logged',
    detail: toHex(computedLeaf),
  });
  if (proof.tree_size !== cp.tree_size) {
    steps.push({ ok: false, label: `Proof is for tree size ${proof.tree_size}, the checkpoint has ${cp.tree_size}` });
    return { steps, fields: leafInput.fields };
  }
  const check = await verifyInclusion(index, cp.tree_size, computedLeaf, hashList(proof.inclusion_proof, 'inclusion_proof'), rootHashOf(cp));
  steps.push({
    ok: check.verified,
    label: check.verified
      ? `Inclusion proof (${proof.inclusion_proof.length} hashes) rebuilds the signed root of ${cp.tree_size} entries`
      : `Inclusion proof failed: ${check.reason}`,
    detail: check.computedRoot ? toHex(check.computedRoot) : undefined,
  });
  return { steps, fields: leafInput.fields };
}

export function LedgerPage(props: { initialIndex?: number }) {
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null>(null);
  const [cpSteps, setCpSteps] = useState<Step[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [index, setIndex] = useState(props.initialIndex !== undefined ? String(props.initialIndex) : '');
  const [entry, setEntry] = useState<{ proof: LedgerEntryProof; steps: Step[]; fields: EntryFields | null; index: number } | null>(null);
  const [lookupError, setLookupError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function refresh() {
    setError(null);
    if (!window.isSecureContext || !crypto.subtle) {
      setError('Your browser allows these cryptographic checks only over HTTPS (or on localhost). Open this page through HTTPS to verify the ledger.');
      return null;
    }
    try {
      const cp = await api.checkpoint();
      setCheckpoint(cp);
      setCpSteps((await checkCheckpoint(cp)).steps);
      return cp;
    } catch (e) {
      setError(errorText(e));
      return null;
    }
  }

  useEffect(() => {
    void refresh().then((cp) => {
      if (cp && props.initialIndex !== undefined) void lookup(cp, props.initialIndex);
    });
  }, []);

  async function lookup(cp: Checkpoint, i: number) {
    setBusy(true);
    setLookupError(null);
    setEntry(null);
    try {
      const proof = await api.entry(i, cp.tree_size);
      setEntry({ proof, index: i, ...(await checkEntry(i, cp, proof)) });
      history.replaceState(null, '', `/ledger?entry=${i}`);
    } catch (e) {
      setLookupError(e instanceof ApiError && e.status === 404 ? `There is no entry ${i} in a tree of ${cp.tree_size}.` : errorText(e));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: Event) {
    event.preventDefault();
    const i = Number(index);
    if (!checkpoint) return;
    if (index.trim() === '' || !Number.isInteger(i) || i < 0 || i >= checkpoint.tree_size) {
      setLookupError(`Enter an entry index from 0 to ${Math.max(0, checkpoint.tree_size - 1)}.`);
      return;
    }
    void lookup(checkpoint, i);
  }

  const verified = entry && entry.steps.every((s) => s.ok !== false);
  return (
    <main id="main" class="ledger">
      <h1>Ledger explorer</h1>
      <p class="lede">Every reward is an entry in an append-only, signed log. Your browser checks the proofs itself: you do not have to trust the server.</p>
      {error && <Alert kind="error">{error}</Alert>}
      <section class="card" aria-labelledby="cp-title">
        <div class="page-head">
          <h2 id="cp-title">Latest signed checkpoint</h2>
          <button class="btn" type="button" onClick={() => void refresh()}>
            Refresh
          </button>
        </div>
        {checkpoint && (
          <>
            <dl class="facts" data-testid="checkpoint">
              <div>
                <dt>Entries</dt>
                <dd data-testid="tree-size">{checkpoint.tree_size.toLocaleString('en-US')}</dd>
              </div>
              <div>
                <dt>Signed at</dt>
                <dd>{checkpoint.timestamp}</dd>
              </div>
              <div class="wide">
                <dt>Root hash</dt>
                <dd>
                  <code class="hash">{checkpoint.root_hash}</code>
                </dd>
              </div>
            </dl>
            <StepList steps={cpSteps} testId="checkpoint-checks" />
          </>
        )}
      </section>
      <section class="card" aria-labelledby="lookup-title">
        <h2 id="lookup-title">Verify an entry</h2>
        <form class="inline-form" onSubmit={submit}>
          <label for="entry-index">Entry index</label>
          <input id="entry-index" type="number" min={0} inputMode="numeric" value={index} onInput={(e) => setIndex(e.currentTarget.value)} />
          <button class="btn btn-primary" type="submit" disabled={busy || !checkpoint}>
            {busy ? 'Checking…' : 'Verify'}
          </button>
        </form>
        {lookupError && <Alert kind="error">{lookupError}</Alert>}
        {entry && (
          <>
            <Alert kind={verified ? 'success' : 'error'} title={verified ? `Entry ${entry.index} is in the signed ledger` : `Entry ${entry.index} could NOT be verified`} testId="inclusion-result" />
            <StepList steps={entry.steps} testId="inclusion-steps" />
            {entry.fields && (
              <dl class="facts" data-testid="entry-fields">
                <div>
                  <dt>Amount</dt>
                  <dd>
                    {entry.fields.amount.toLocaleString('en-US')} {entry.fields.asset}
                  </dd>
                </div>
                <div>
                  <dt>Reason</dt>
                  <dd>{entry.fields.reason}</dd>
                </div>
                <div>
                  <dt>From</dt>
                  <dd>{entry.fields.debit_account}</dd>
                </div>
                <div>
                  <dt>To</dt>
                  <dd>{entry.fields.credit_account}</dd>
                </div>
                <div class="wide">
                  <dt>For</dt>
                  <dd>
                    {entry.fields.reference} · posted {new Date(entry.fields.created_at_unix_seconds * 1000).toISOString().replace('.000Z', 'Z')}
                  </dd>
                </div>
              </dl>
            )}
            <details>
              <summary>Entry as sent by the server</summary>
              <pre class="entry-json">{JSON.stringify(entry.proof.entry, null, 2)}</pre>
            </details>
          </>
        )}
      </section>
    </main>
  );
}
