// A persistent outbox for answers. An answer is written to storage (localStorage in the app)
// before the first attempt to send it and removed only once the server has answered it for good,
// so a dropped network, a crashed tab or a reload never loses it. Every attempt for one answer
// carries the same Idempotency-Key, so the server counts it once however often it is re-sent
// (docs/api.md: a retry with the same key returns the first answer's response).

export type AnswerValue = string | string[] | number;

export interface PendingAnswer {
  idempotencyKey: string;
  assignmentId: number;
  taskId: number;
  value: AnswerValue;
  durationMs: number;
  /** When the annotator answered (ms since the epoch). */
  answeredAt: number;
  /** Attempts that failed in a way worth retrying. */
  attempts: number;
  lastError?: string;
}

/** The subset of the Web Storage API the queue needs (tests pass an in-memory map). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * The outcome of one delivery attempt:
 * - delivered: the server stored the answer (or had stored it under this key already);
 * - retry: the answer may or may not have arrived (network down, 5xx, 429); keep it, same key;
 * - rejected: the server refused it for good (e.g. 409 lease expired, 404); drop it.
 */
export type DeliveryResult<R> =
  | { kind: 'delivered'; response: R }
  | { kind: 'retry'; reason: string }
  | { kind: 'rejected'; status: number; code: string; message: string };

export type Deliver<R> = (answer: PendingAnswer) => Promise<DeliveryResult<R>>;

export interface FlushReport<R> {
  delivered: { answer: PendingAnswer; response: R }[];
  rejected: { answer: PendingAnswer; status: number; code: string; message: string }[];
  /** Answers still waiting, oldest first; non-empty only when an attempt asked for a retry. */
  waiting: PendingAnswer[];
  retryReason?: string;
}

export interface AnswerQueueOptions {
  /** Storage key; scope it per user so one account never sends another's answers. */
  storageKey: string;
  newKey?: () => string;
  now?: () => number;
}

export class AnswerQueue<R> {
  private readonly storageKey: string;
  private readonly newKey: () => string;
  private readonly now: () => number;
  private inFlight: Promise<FlushReport<R>> | null = null;

  constructor(
    private readonly store: KeyValueStore,
    private readonly deliver: Deliver<R>,
    options: AnswerQueueOptions,
  ) {
    this.storageKey = options.storageKey;
    this.newKey = options.newKey ?? newIdempotencyKey;
    this.now = options.now ?? (() => Date.now());
  }

  /** Pending answers, oldest first. Malformed stored records are skipped, never sent. */
  pending(): PendingAnswer[] {
    const raw = this.store.getItem(this.storageKey);
    if (!raw) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isPendingAnswer) : [];
    } catch {
      return [];
    }
  }

  /**
   * Records an answer durably and returns it. An assignment takes one answer: if one for the
   * same assignment is already pending, that one is kept and returned unchanged.
   */
  enqueue(answer: { assignmentId: number; taskId: number; value: AnswerValue; durationMs: number }): PendingAnswer {
    const queue = this.pending();
    const existing = queue.find((a) => a.assignmentId === answer.assignmentId);
    if (existing) return existing;
    const record: PendingAnswer = {
      idempotencyKey: this.newKey(),
      assignmentId: answer.assignmentId,
      taskId: answer.taskId,
      value: answer.value,
      durationMs: Math.max(0, Math.round(answer.durationMs)),
      answeredAt: this.now(),
      attempts: 0,
    };
    this.save([...queue, record]);
    return record;
  }

  /**
   * Sends pending answers oldest first, stopping at the first one that must be retried (order is
   * kept so feedback arrives in the order the annotator answered). Concurrent calls share one run,
   * so an answer is never in flight twice from this queue.
   */
  flush(): Promise<FlushReport<R>> {
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Backoff before retry number `attempts` (1-based): 1 s, 2 s, 4 s ... capped at 30 s. */
  static retryDelayMs(attempts: number, baseMs = 1000, maxMs = 30_000): number {
    return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  }

  private async run(): Promise<FlushReport<R>> {
    const report: FlushReport<R> = { delivered: [], rejected: [], waiting: [] };
    for (;;) {
      const [head] = this.pending();
      if (!head) return report;
      let result: DeliveryResult<R>;
      try {
        result = await this.deliver(head);
      } catch (error) {
        result = { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
      }
      if (result.kind === 'retry') {
        this.update(head.idempotencyKey, (a) => ({ ...a, attempts: a.attempts + 1, lastError: result.reason }));
        report.waiting = this.pending();
        report.retryReason = result.reason;
        return report;
      }
      this.remove(head.idempotencyKey);
      if (result.kind === 'delivered') {
        report.delivered.push({ answer: head, response: result.response });
      } else {
        report.rejected.push({ answer: head, status: result.status, code: result.code, message: result.message });
      }
    }
  }

  private save(queue: PendingAnswer[]): void {
    if (queue.length === 0) this.store.removeItem(this.storageKey);
    else this.store.setItem(this.storageKey, JSON.stringify(queue));
  }

  private update(key: string, change: (a: PendingAnswer) => PendingAnswer): void {
    this.save(this.pending().map((a) => (a.idempotencyKey === key ? change(a) : a)));
  }

  private remove(key: string): void {
    this.save(this.pending().filter((a) => a.idempotencyKey !== key));
  }
}

/**
 * A random UUID v4. crypto.randomUUID exists only in secure contexts (HTTPS, localhost), while
 * getRandomValues works everywhere, so a plain-HTTP deployment can still answer.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function isPendingAnswer(x: unknown): x is PendingAnswer {
  if (typeof x !== 'object' || x === null) return false;
  const a = x as Record<string, unknown>;
  const value = a.value;
  const validValue =
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  return (
    typeof a.idempotencyKey === 'string' &&
    a.idempotencyKey.length > 0 &&
    Number.isSafeInteger(a.assignmentId) &&
    Number.isSafeInteger(a.taskId) &&
    typeof a.durationMs === 'number' &&
    typeof a.answeredAt === 'number' &&
    typeof a.attempts === 'number' &&
    validValue
  );
}
