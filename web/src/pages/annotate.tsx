// The annotator's main screen: stats bar with check-in, the current question with one-tap
// answers (keys 1-9 on a keyboard), instant gold feedback, and an outbox that keeps answers
// through network drops (see lib/answer_queue.ts).

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, NetworkError } from '../api/client';
import type { AnswerResponse, NextTask, Profile, Question, User } from '../api/types';
import { Alert, XpBar, errorText, formatAia } from '../components/ui';
import { AnswerQueue, type AnswerValue, type FlushReport } from '../lib/answer_queue';
import { answerQueueFor, api } from '../session';

type Screen =
  | { kind: 'loading' }
  | { kind: 'task'; next: NextTask; shownAt: number }
  | { kind: 'empty' }
  | { kind: 'offline' }
  | { kind: 'error'; message: string };

type Feedback =
  | { kind: 'gold'; correct: boolean }
  | { kind: 'training'; correct: boolean; expected: string; explanation: string }
  | { kind: 'saved'; pending: number; retired: boolean }
  | { kind: 'expired' }
  | { kind: 'rejected'; message: string };

const todayUtc = () => new Date().toISOString().slice(0, 10);

const heldKey = (userId: number) => `tinydata.current_task.${userId}`;

/** The leased question last shown to this user, if its lease has at least 10 s left. */
function heldTask(userId: number): NextTask | null {
  try {
    const held = JSON.parse(localStorage.getItem(heldKey(userId)) ?? 'null') as NextTask | null;
    if (held && Date.parse(held.assignment.expires_at) - Date.now() > 10_000) return held;
  } catch {
    // A damaged record is dropped below.
  }
  localStorage.removeItem(heldKey(userId));
  return null;
}

function holdTask(userId: number, next: NextTask | null): void {
  if (next) localStorage.setItem(heldKey(userId), JSON.stringify(next));
  else localStorage.removeItem(heldKey(userId));
}

function labelOf(question: Question | undefined, value: AnswerValue): string {
  const label = (v: string) => question?.options?.find((o) => o.value === v)?.label ?? v;
  if (Array.isArray(value)) return value.map(label).join(', ');
  return typeof value === 'number' ? String(value) : label(value);
}

/** The stats strip shared by the annotate and profile screens. */
export function StatsBar(props: { profile: Profile | null; user: User; onCheckedIn: () => void }) {
  const checkinKey = `tinydata.checkin.${props.user.id}`;
  const [checkedInDay, setCheckedInDay] = useState(() => localStorage.getItem(checkinKey));
  const [message, setMessage] = useState<{ kind: 'success' | 'info' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const p = props.profile;

  async function checkIn() {
    setBusy(true);
    try {
      const result = await api.checkin();
      localStorage.setItem(checkinKey, result.day);
      setCheckedInDay(result.day);
      setMessage({
        kind: 'success',
        text: `Checked in! ${result.streak}-day streak${result.bonus_aia > 0 ? `, +${formatAia(result.bonus_aia)} bonus` : ''}.`,
      });
      props.onCheckedIn();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        localStorage.setItem(checkinKey, todayUtc());
        setCheckedInDay(todayUtc());
        setMessage({ kind: 'info', text: 'You have already checked in today. Come back tomorrow to keep your streak.' });
      } else {
        setMessage({ kind: 'error', text: errorText(e) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="stats-bar" aria-label="Your progress">
      <XpBar level={p?.level ?? props.user.level} xp={p?.xp ?? props.user.xp} xpToNext={p?.xp_to_next ?? 0} />
      <dl class="stat-chips">
        <div class="chip">
          <dt>Balance</dt>
          <dd data-testid="balance">{p ? formatAia(p.balances.AIA) : '…'}</dd>
        </div>
        <div class="chip">
          <dt>Pending</dt>
          <dd data-testid="pending">{p ? formatAia(p.pending_aia) : '…'}</dd>
        </div>
        <div class="chip">
          <dt>Streak</dt>
          <dd data-testid="streak">{p ? `${p.streak} day${p.streak === 1 ? '' : 's'}` : '…'}</dd>
        </div>
      </dl>
      <button class="btn btn-checkin" type="button" onClick={checkIn} disabled={busy || checkedInDay === todayUtc()}>
        {checkedInDay === todayUtc() ? 'Checked in today ✓' : 'Daily check-in'}
      </button>
      {message && (
        <Alert kind={message.kind} testId="checkin-message">
          {message.text}
        </Alert>
      )}
    </section>
  );
}

export function AnnotatePage(props: { user: User }) {
  const queue = answerQueueFor(props.user.id);
  const [screen, setScreen] = useState<Screen>({ kind: 'loading' });
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const [profile, setProfile] = useState<Profile | null>(null);
  const [waiting, setWaiting] = useState(() => queue.pending().length);
  const [submitting, setSubmitting] = useState(false);
  // Synchronous guard: two taps within one frame must not submit (and lease) twice.
  const submittingNow = useRef(false);
  // True while the next question waits for the outbox to empty (answers kept offline).
  const blockedOnOutbox = useRef(false);
  const retryTimer = useRef<number | undefined>(undefined);
  const screenRef = useRef(screen);
  screenRef.current = screen;
  // The question of the answer in flight, so late feedback (after a retry) can name options.
  const lastQuestion = useRef<Question | undefined>(undefined);
  if (screen.kind === 'task') lastQuestion.current = screen.next.project.question;

  const refreshProfile = useCallback(() => {
    api.profile().then(setProfile, () => undefined);
  }, []);

  const loadNext = useCallback(async () => {
    setScreen({ kind: 'loading' });
    // A question left on screen earlier (navigating away, a reload) is still leased to this
    // user: show it again rather than leave its lease to run out unanswered.
    const held = heldTask(props.user.id);
    if (held && !queue.pending().some((a) => a.assignmentId === held.assignment.id)) {
      setScreen({ kind: 'task', next: held, shownAt: performance.now() });
      return;
    }
    try {
      const next = await api.nextTask();
      holdTask(props.user.id, next);
      setScreen(next ? { kind: 'task', next, shownAt: performance.now() } : { kind: 'empty' });
    } catch (e) {
      setScreen(e instanceof NetworkError ? { kind: 'offline' } : { kind: 'error', message: errorText(e) });
    }
  }, []);

  /** Applies a flush: feedback for what arrived, and a retry timer for what still waits. */
  const settle = useCallback(
    (report: FlushReport<AnswerResponse>, question?: Question) => {
      window.clearTimeout(retryTimer.current);
      setWaiting(report.waiting.length);
      const last = report.delivered.at(-1);
      if (last) {
        const r = last.response;
        setFeedback(
          r.gold?.training
            ? {
                kind: 'training',
                correct: r.gold.correct,
                expected: r.gold.expected === undefined ? '' : labelOf(question, r.gold.expected),
                explanation: r.gold.explanation ?? '',
              }
            : r.gold
              ? { kind: 'gold', correct: r.gold.correct }
              : { kind: 'saved', pending: r.reward_pending_aia, retired: r.task_retired },
        );
        refreshProfile();
      }
      const rejected = report.rejected.at(-1);
      if (rejected) {
        setFeedback(
          rejected.status === 409
            ? { kind: 'expired' }
            : { kind: 'rejected', message: rejected.message || `The server refused the answer (${rejected.status}).` },
        );
      }
      if (report.waiting.length > 0) {
        const delay = AnswerQueue.retryDelayMs(report.waiting[0].attempts);
        retryTimer.current = window.setTimeout(() => void flushThenContinue(), delay);
        return false;
      }
      return true;
    },
    [refreshProfile],
  );

  const flushThenContinue = useCallback(async () => {
    const allSent = settle(await queue.flush(), lastQuestion.current);
    if (allSent && (blockedOnOutbox.current || screenRef.current.kind === 'offline')) {
      blockedOnOutbox.current = false;
      await loadNext();
    }
  }, [queue, settle, loadNext]);

  useEffect(() => {
    refreshProfile();
    // Answers left from an earlier visit go first, so nothing is answered out of order.
    if (queue.pending().length > 0) {
      blockedOnOutbox.current = true;
      setScreen({ kind: 'offline' });
      void flushThenContinue();
    } else {
      void loadNext();
    }
    const online = () => void flushThenContinue();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      window.clearTimeout(retryTimer.current);
    };
  }, []);

  const answer = useCallback(
    async (value: AnswerValue) => {
      const current = screenRef.current;
      if (current.kind !== 'task' || submittingNow.current) return;
      submittingNow.current = true;
      setSubmitting(true);
      setFeedback(null);
      holdTask(props.user.id, null);
      queue.enqueue({
        assignmentId: current.next.assignment.id,
        taskId: current.next.task.id,
        value,
        durationMs: performance.now() - current.shownAt,
      });
      try {
        const allSent = settle(await queue.flush(), current.next.project.question);
        if (allSent) {
          await loadNext();
        } else {
          blockedOnOutbox.current = true;
          setScreen({ kind: 'offline' });
        }
      } finally {
        submittingNow.current = false;
        setSubmitting(false);
      }
    },
    [queue, settle, loadNext],
  );

  return (
    <main id="main" class="annotate">
      <h1 class="visually-hidden">Answer questions</h1>
      <StatsBar profile={profile} user={props.user} onCheckedIn={refreshProfile} />
      <div aria-live="polite" class="feedback-region">
        {feedback && <FeedbackBanner feedback={feedback} />}
      </div>
      {waiting > 0 && (
        <Alert kind="warning" title="You are offline" testId="offline-banner">
          {waiting === 1 ? 'Your answer is' : `${waiting} answers are`} saved on this device and will be sent automatically when the
          connection is back. Nothing is lost or counted twice.{' '}
          <button class="btn-link" type="button" onClick={() => void flushThenContinue()}>
            Retry now
          </button>
        </Alert>
      )}
      {screen.kind === 'loading' && <p class="muted" aria-busy="true">Loading the next question…</p>}
      {screen.kind === 'empty' && (
        <div class="card empty" data-testid="no-task">
          <h2>No question for you right now</h2>
          <p>Every open item has enough answers or is waiting for others. New items arrive often: check back soon.</p>
          <button class="btn btn-primary" type="button" onClick={() => void loadNext()}>
            Check again
          </button>
        </div>
      )}
      {screen.kind === 'offline' && waiting === 0 && (
        <Alert kind="warning" title="Network connection lost" testId="network-error">
          We could not reach the server.{' '}
          <button class="btn-link" type="button" onClick={() => void loadNext()}>
            Try again
          </button>
        </Alert>
      )}
      {screen.kind === 'error' && (
        <Alert kind="error" title="Something went wrong">
          {screen.message}{' '}
          <button class="btn-link" type="button" onClick={() => void loadNext()}>
            Try again
          </button>
        </Alert>
      )}
      {screen.kind === 'task' && (
        <QuestionCard key={screen.next.assignment.id} next={screen.next} disabled={submitting} onAnswer={answer} onExpired={() => setFeedback({ kind: 'expired' })} onSkip={() => {
            holdTask(props.user.id, null);
            void loadNext();
          }} />
      )}
    </main>
  );
}

function FeedbackBanner(props: { feedback: Feedback }) {
  const f = props.feedback;
  if (f.kind === 'gold') {
    return f.correct ? (
      <Alert kind="success" title="Correct!" testId="feedback">
        That was a check question and you got it right.
      </Alert>
    ) : (
      <Alert kind="error" title="Not quite" testId="feedback">
        That was a check question, and the answer was not the expected one. Check questions help us
        trust your answers; read the instructions again and take your time.
      </Alert>
    );
  }
  if (f.kind === 'training') {
    return (
      <Alert kind={f.correct ? 'success' : 'error'} title={f.correct ? 'Correct!' : 'Not quite'} testId="feedback">
        A practice question{f.expected ? <>: the answer is “{f.expected}”.</> : '.'}
        {f.explanation ? <> {f.explanation}</> : null}
      </Alert>
    );
  }
  if (f.kind === 'saved') {
    return (
      <Alert kind="success" title="Answer saved" testId="feedback">
        {f.pending > 0 ? `+${formatAia(f.pending)} pending until the item is settled.` : 'Thanks!'}
        {f.retired ? ' This item is now complete.' : ''}
      </Alert>
    );
  }
  if (f.kind === 'expired') {
    return (
      <Alert kind="warning" title="Time ran out on that question" testId="feedback">
        Its lease expired before the answer arrived, so it was not counted. Here is a fresh one.
      </Alert>
    );
  }
  return (
    <Alert kind="error" title="Answer not accepted" testId="feedback">
      {f.message}
    </Alert>
  );
}

function useCountdown(expiresAt: string): number {
  const deadline = Date.parse(expiresAt);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  return Math.max(0, Math.round((deadline - now) / 1000));
}

function TaskData(props: { data: Record<string, unknown> }) {
  const entries = Object.entries(props.data);
  const isImage = (v: unknown): v is string => typeof v === 'string' && /^(https?:\/\/|\/)[^\s]+\.(png|jpe?g|gif|webp|svg)(\?\S*)?$/i.test(v);
  const text = typeof props.data.text === 'string' ? props.data.text : null;
  const rest = entries.filter(([k, v]) => !(k === 'text' && text !== null) && !isImage(v));
  return (
    <div class="task-data" data-testid="task-data">
      {entries.filter(([, v]) => isImage(v)).map(([k, v]) => (
        <img key={k} src={v as string} alt={`Item to annotate (${k})`} loading="eager" />
      ))}
      {text !== null && <p class="task-text">{text}</p>}
      {rest.length > 0 && (
        <dl class="task-fields">
          {rest.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

function QuestionCard(props: {
  next: NextTask;
  disabled: boolean;
  onAnswer: (value: AnswerValue) => void;
  onExpired: () => void;
  onSkip: () => void;
}) {
  const { project, task, assignment } = props.next;
  const q = project.question;
  const secondsLeft = useCountdown(assignment.expires_at);
  const [selected, setSelected] = useState<string[]>([]);
  const [number, setNumber] = useState('');
  const [text, setText] = useState('');
  const options = q.options ?? [];

  const toggle = (value: string) =>
    setSelected((s) => (s.includes(value) ? s.filter((v) => v !== value) : [...s, value]));

  useEffect(() => {
    if (secondsLeft === 0) props.onExpired();
  }, [secondsLeft === 0]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      const digit = Number(event.key);
      if (Number.isInteger(digit) && digit >= 1 && digit <= 9 && digit <= options.length) {
        event.preventDefault();
        const value = options[digit - 1].value;
        if (q.type === 'single_choice') props.onAnswer(value);
        else if (q.type === 'multi_choice') toggle(value);
      } else if (event.key === 'Enter' && q.type === 'multi_choice' && selected.length > 0) {
        event.preventDefault();
        props.onAnswer(selected);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [q, options, selected, props.onAnswer]);

  const expired = secondsLeft === 0;
  const minutes = Math.floor(secondsLeft / 60);
  const seconds = String(secondsLeft % 60).padStart(2, '0');

  return (
    <article class="card question" aria-labelledby="question-title" data-testid="question" data-assignment={assignment.id}>
      <header class="question-head">
        <h2 id="question-title">{project.title}</h2>
        <span class={`lease${secondsLeft < 30 ? ' lease-low' : ''}`} aria-label={`Time left ${minutes} minutes ${seconds} seconds`}>
          <svg class="lease-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <circle cx="8" cy="9" r="6" fill="none" stroke="currentColor" stroke-width="1.6" />
            <path d="M8 5.5V9l2.2 1.6M6.5 1.5h3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
          </svg>{' '}
          {minutes}:{seconds}
        </span>
      </header>
      <details class="instructions" open>
        <summary>Instructions</summary>
        <p>{project.instructions}</p>
      </details>
      <TaskData data={task.data} />
      {expired ? (
        <div class="expired">
          <p>Time is up for this item. Get a new one to keep going.</p>
          <button class="btn btn-primary" type="button" onClick={props.onSkip}>
            Get a new question
          </button>
        </div>
      ) : (
        <>
          {q.type === 'single_choice' && (
            <div class="answers" role="group" aria-label="Answers">
              {options.map((o, i) => (
                <button key={o.value} class="btn answer" type="button" disabled={props.disabled} onClick={() => props.onAnswer(o.value)}>
                  {i < 9 && (
                    <kbd class="shortcut" aria-hidden="true">
                      {i + 1}
                    </kbd>
                  )}
                  <span>{o.label}</span>
                </button>
              ))}
            </div>
          )}
          {q.type === 'multi_choice' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (selected.length > 0) props.onAnswer(selected);
              }}
            >
              <div class="answers" role="group" aria-label="Answers (choose all that apply)">
                {options.map((o, i) => (
                  <button
                    key={o.value}
                    class={`btn answer${selected.includes(o.value) ? ' answer-selected' : ''}`}
                    type="button"
                    aria-pressed={selected.includes(o.value)}
                    disabled={props.disabled}
                    onClick={() => toggle(o.value)}
                  >
                    {i < 9 && (
                      <kbd class="shortcut" aria-hidden="true">
                        {i + 1}
                      </kbd>
                    )}
                    <span>{o.label}</span>
                  </button>
                ))}
              </div>
              <button class="btn btn-primary btn-block" type="submit" disabled={props.disabled || selected.length === 0}>
                Submit {selected.length > 0 ? `(${selected.length})` : ''}
              </button>
            </form>
          )}
          {q.type === 'numeric' && (
            <form
              class="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                const v = Number(number);
                if (number.trim() !== '' && Number.isFinite(v)) props.onAnswer(v);
              }}
            >
              <label for="numeric-answer">Your answer{q.min !== undefined && q.max !== undefined ? ` (${q.min} to ${q.max})` : ''}</label>
              <input id="numeric-answer" type="number" inputMode="decimal" min={q.min} max={q.max} step={q.step ?? 'any'} value={number} onInput={(e) => setNumber(e.currentTarget.value)} required />
              <button class="btn btn-primary" type="submit" disabled={props.disabled}>
                Submit
              </button>
            </form>
          )}
          {q.type === 'text' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (text.trim()) props.onAnswer(text.trim());
              }}
            >
              <label for="text-answer">Your answer</label>
              <textarea id="text-answer" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
              <button class="btn btn-primary btn-block" type="submit" disabled={props.disabled}>
                Submit
              </button>
            </form>
          )}
          {(q.type === 'single_choice' || q.type === 'multi_choice') && options.length > 0 && (
            <p class="hint desktop-only">Tip: press 1–{Math.min(9, options.length)} to answer{q.type === 'multi_choice' ? ', Enter to submit' : ''}.</p>
          )}
        </>
      )}
    </article>
  );
}
