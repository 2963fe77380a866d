// The answer outbox: durable before sending, retried with the same Idempotency-Key, never lost,
// never counted twice. The "server" here is a few lines that apply docs/api.md's idempotency
// rule (a retry with the same key returns the first response) behind a switchable network.
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client';
import type { AnswerResponse } from '../src/api/types';
import { AnswerQueue, type KeyValueStore, type PendingAnswer } from '../src/lib/answer_queue';

class MemoryStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

/** An answer endpoint with idempotency keys, whose network can drop requests or responses. */
class FakeServer {
  network: 'up' | 'down' | 'drop-response' = 'up';
  readonly stored = new Map<string, AnswerResponse>();
  readonly expiredAssignments = new Set<number>();
  requests: { key: string; assignment: number; body: unknown }[] = [];

  fetch: typeof fetch = async (input, init) => {
    if (this.network === 'down') throw new TypeError('Failed to fetch');
    const url = String(input);
    const assignment = Number(/assignments\/(\d+)\/answer/.exec(url)?.[1]);
    const key = new Headers(init?.headers).get('Idempotency-Key') ?? '';
    this.requests.push({ key, assignment, body: JSON.parse(String(init?.body)) });
    let response: Response;
    const first = this.stored.get(key);
    if (first) {
      response = Response.json(first);
    } else if (this.expiredAssignments.has(assignment)) {
      response = Response.json(
        { error: { code: 'failed_precondition', message: 'the lease on this assignment expired' } },
        { status: 409 },
      );
    } else {
      const answer = { answer_id: this.stored.size + 1, task_retired: false, reward_pending_aia: 5 };
      this.stored.set(key, answer);
      response = Response.json(answer);
    }
    if (this.network === 'drop-response') throw new TypeError('connection reset');
    return response;
  };
}

function setup() {
  const store = new MemoryStore();
  const server = new FakeServer();
  const client = new ApiClient(() => 'token', { fetch: server.fetch });
  let n = 0;
  const queue = new AnswerQueue<AnswerResponse>(store, (a) => client.deliverAnswer(a), {
    storageKey: 'answers.7',
    newKey: () => `key-${++n}`,
    now: () => 1_000,
  });
  return { store, server, queue, client };
}

describe('AnswerQueue', () => {
  it('persists an answer before any attempt to send it', () => {
    const { store, queue, server } = setup();
    queue.enqueue({ assignmentId: 11, taskId: 3, value: 'cat', durationMs: 1234.4 });
    expect(server.requests).toHaveLength(0);
    expect(JSON.parse(store.getItem('answers.7')!)).toEqual([
      { idempotencyKey: 'key-1', assignmentId: 11, taskId: 3, value: 'cat', durationMs: 1234, answeredAt: 1_000, attempts: 0 },
    ]);
  });

  it('delivers and forgets an answer the server accepts', async () => {
    const { store, queue, server } = setup();
    queue.enqueue({ assignmentId: 11, taskId: 3, value: 'cat', durationMs: 10 });
    const report = await queue.flush();
    expect(report.delivered.map((d) => d.response.answer_id)).toEqual([1]);
    expect(server.requests).toEqual([{ key: 'key-1', assignment: 11, body: { value: 'cat', duration_ms: 10 } }]);
    expect(store.getItem('answers.7')).toBeNull();
  });

  it('keeps an answer while the network is down and retries it with the same key', async () => {
    const { queue, server } = setup();
    queue.enqueue({ assignmentId: 11, taskId: 3, value: 'cat', durationMs: 10 });
    server.network = 'down';
    const offline = await queue.flush();
    expect(offline.retryReason).toBe('network');
    expect(offline.waiting).toMatchObject([{ idempotencyKey: 'key-1', attempts: 1, lastError: 'network' }]);
    server.network = 'up';
    const online = await queue.flush();
    expect(online.delivered).toHaveLength(1);
    expect(server.requests.map((r) => r.key)).toEqual(['key-1']);
    expect(queue.pending()).toEqual([]);
  });

  it('counts an answer once when the response was lost after the server stored it', async () => {
    const { queue, server } = setup();
    queue.enqueue({ assignmentId: 11, taskId: 3, value: ['a', 'b'], durationMs: 10 });
    server.network = 'drop-response';
    expect((await queue.flush()).waiting).toHaveLength(1);
    server.network = 'up';
    const report = await queue.flush();
    expect(server.requests.map((r) => r.key)).toEqual(['key-1', 'key-1']);
    expect(server.stored.size).toBe(1);
    expect(report.delivered[0].response.answer_id).toBe(1);
  });

  it('survives a reload: a new queue over the same storage sends what the old one kept', async () => {
    const { store, queue, server, client } = setup();
    queue.enqueue({ assignmentId: 11, taskId: 3, value: 4.5, durationMs: 10 });
    server.network = 'down';
    await queue.flush();
    server.network = 'up';
    const reloaded = new AnswerQueue<AnswerResponse>(store, (a) => client.deliverAnswer(a), { storageKey: 'answers.7' });
    expect((await reloaded.flush()).delivered.map((d) => d.answer.idempotencyKey)).toEqual(['key-1']);
    expect(server.stored.size).toBe(1);
  });

  it('drops an answer whose lease expired and reports why', async () => {
    const { queue, server } = setup();
    server.expiredAssignments.add(11);
    queue.enqueue({ assignmentId: 11, taskId: 3, value: 'cat', durationMs: 10 });
    queue.enqueue({ assignmentId: 12, taskId: 4, value: 'dog', durationMs: 10 });
    const report = await queue.flush();
    expect(report.rejected).toMatchObject([{ status: 409, code: 'failed_precondition', answer: { assignmentId: 11 } }]);
    expect(report.delivered.map((d) => d.answer.assignmentId)).toEqual([12]);
    expect(queue.pending()).toEqual([]);
  });

  it('keeps the order of answers and stops at the first one that must wait', async () => {
    const { queue, server } = setup();
    queue.enqueue({ assignmentId: 11, taskId: 3, value: 'cat', durationMs: 10 });
    queue.enqueue({ assignmentId: 12, taskId: 4, value: 'dog', durationMs: 10 });
    server.network = 'down';
    const report = await queue.flush();
    expect(report.waiting.map((a) => a.assignmentId)).toEqual([11, 12]);
    expect(report.waiting.map((a) => a.attempts)).toEqual([1, 0]);
  });

  it('takes one answer per assignment', () => {
    const { queue } = setup();
    const first = queue.enqueue({ assignmentId: 11, taskId: 3, value: 'cat', durationMs: 10 });
    const second = queue.enqueue({ assignmentId: 11, taskId: 3, value: 'dog', durationMs: 10 });
    expect(second).toEqual(first);
    expect(queue.pending()).toHaveLength(1);
  });

  it('shares one run between concurrent flushes so nothing is in flight twice', async () => {
    const { queue, server } = setup();
    queue.enqueue({ assignmentId: 11, taskId: 3, value: 'cat', durationMs: 10 });
    const [a, b] = await Promise.all([queue.flush(), queue.flush()]);
    expect(a).toBe(b);
    expect(server.requests).toHaveLength(1);
  });

  it('retries on 503 and 429 but not on 400', async () => {
    const statuses = [503, 429, 400];
    const kinds: string[] = [];
    for (const status of statuses) {
      const client = new ApiClient(() => 't', {
        fetch: async () => Response.json({ error: { code: 'x', message: 'm' } }, { status }),
      });
      kinds.push((await client.deliverAnswer({ assignmentId: 1 } as PendingAnswer)).kind);
    }
    expect(kinds).toEqual(['retry', 'retry', 'rejected']);
  });

  it('ignores malformed stored records instead of sending them', () => {
    const { store, queue } = setup();
    store.setItem('answers.7', JSON.stringify([{ idempotencyKey: 'k', assignmentId: 'x' }, 5]));
    expect(queue.pending()).toEqual([]);
    store.setItem('answers.7', '{not json');
    expect(queue.pending()).toEqual([]);
  });

  it('backs off exponentially up to 30 seconds', () => {
    expect([1, 2, 3, 6, 10].map((n) => AnswerQueue.retryDelayMs(n))).toEqual([1000, 2000, 4000, 30000, 30000]);
  });
});

describe('newIdempotencyKey', () => {
  it('makes distinct UUID v4 keys', async () => {
    const { newIdempotencyKey } = await import('../src/lib/answer_queue');
    const keys = new Set(Array.from({ length: 100 }, newIdempotencyKey));
    expect(keys.size).toBe(100);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
