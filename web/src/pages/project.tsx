// One project in the requester console: upload tasks, fund rewards, live progress charts,
// pause/resume and exports.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { ImportResult, Project, Review, RowError, Stats, TaskFormat } from '../api/types';
import { BarChart, ColumnChart, CompletionBar, Heatmap } from '../components/charts';
import { Alert, Field, errorText, formatAia } from '../components/ui';
import { formatFromFileName } from '../lib/project_form';
import { api } from '../session';

const STATS_POLL_MS = 3000;
const FORMATS: { value: TaskFormat; label: string }[] = [
  { value: 'jsonl', label: 'JSONL' },
  { value: 'csv', label: 'CSV' },
  { value: 'labelstudio', label: 'Label Studio JSON' },
];

/** Annotator accuracies bucketed into five 20%-wide bins. */
export function accuracyHistogram(accuracies: number[]): { label: string; value: number }[] {
  const bins = [0, 0, 0, 0, 0];
  for (const a of accuracies) bins[Math.min(4, Math.max(0, Math.floor(a * 5)))]++;
  return bins.map((value, i) => ({ label: `${i * 20}–${i * 20 + 20}%`, value }));
}

export function ProjectPage(props: { id: number }) {
  const [project, setProject] = useState<Project | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [statusBusy, setStatusBusy] = useState(false);

  useEffect(() => {
    api.project(props.id).then(setProject, (e) => setError(e instanceof ApiError && e.status === 404 ? 'This project does not exist or is not yours.' : errorText(e)));
  }, [props.id]);

  // Polls the stats at once (after an upload) instead of at the next tick.
  const pollNow = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    // Only the latest poll schedules the next, so an early poll never starts a second chain.
    let latest = 0;
    const poll = async () => {
      window.clearTimeout(timer);
      const run = ++latest;
      if (document.visibilityState === 'visible') {
        try {
          const s = await api.stats(props.id);
          if (!stopped && run === latest) setStats(s);
        } catch {
          // A failed poll keeps the last figures on screen; the next poll tries again.
        }
      }
      if (!stopped && run === latest) timer = window.setTimeout(poll, STATS_POLL_MS);
    };
    pollNow.current = () => void poll();
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [props.id]);

  async function togglePause() {
    if (!project) return;
    setStatusBusy(true);
    try {
      setProject(await api.setPaused(project.id, project.status === 'active'));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStatusBusy(false);
    }
  }

  if (error && !project) return <main id="main"><Alert kind="error">{error}</Alert></main>;
  if (!project) return <main id="main"><p class="muted">Loading project…</p></main>;

  return (
    <main id="main" class="project">
      <div class="page-head">
        <div>
          <h1>{project.title}</h1>
          <span class={`status status-${project.status}`} data-testid="project-status">
            {project.status}
          </span>
        </div>
        <button class="btn" type="button" onClick={togglePause} disabled={statusBusy}>
          {project.status === 'active' ? 'Pause' : 'Resume'}
        </button>
      </div>
      {error && <Alert kind="error">{error}</Alert>}
      <div class="columns">
        <UploadCard projectId={project.id} onImported={() => pollNow.current()} />
        <FundCard projectId={project.id} initialBudget={project.budget_aia} />
      </div>
      <section class="card" aria-labelledby="progress-title">
        <h2 id="progress-title">Progress</h2>
        {!stats ? (
          <p class="muted">Loading figures…</p>
        ) : (
          <>
            <CompletionBar completion={stats.completion} retired={stats.tasks.retired} total={stats.tasks.retired + stats.tasks.open} />
            <dl class="facts">
              <div>
                <dt>Items</dt>
                <dd data-testid="tasks-total">{stats.tasks.total}</dd>
              </div>
              <div>
                <dt>Open</dt>
                <dd>{stats.tasks.open}</dd>
              </div>
              <div>
                <dt>Retired</dt>
                <dd data-testid="tasks-retired">{stats.tasks.retired}</dd>
              </div>
              <div>
                <dt>Answers</dt>
                <dd data-testid="answers-total">{stats.answers}</dd>
              </div>
            </dl>
            <div class="chart-grid">
              <BarChart
                title="Label distribution"
                testId="chart-labels"
                items={Object.entries(stats.label_distribution).map(([label, value]) => ({
                  label: project.question.options?.find((o) => o.value === label)?.label ?? label,
                  value,
                }))}
              />
              <ColumnChart
                title="Answers per item"
                xLabel="answers"
                testId="chart-answers-per-item"
                items={Object.entries(stats.answers_per_task)
                  .sort(([a], [b]) => Number(a) - Number(b))
                  .map(([n, count]) => ({ label: n, value: count }))}
              />
              <ColumnChart
                title="Annotator accuracy"
                xLabel="accuracy"
                testId="chart-accuracy"
                items={accuracyHistogram(stats.annotator_accuracy.map((a) => a.accuracy))}
              />
              <Heatmap title="Confusion matrix (rows: consensus, columns: answers)" labels={stats.confusion.labels} matrix={stats.confusion.matrix} testId="chart-confusion" />
            </div>
          </>
        )}
      </section>
      <ReviewsCard projectId={project.id} heldAnswers={stats?.review?.held_answers ?? 0} onDecided={() => pollNow.current()} />
      <ExportCard projectId={project.id} title={project.title} />
    </main>
  );
}

function UploadCard(props: { projectId: number; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<TaskFormat>('jsonl');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [rowErrors, setRowErrors] = useState<RowError[]>([]);
  const [error, setError] = useState<string | null>(null);

  async function upload(event: Event) {
    event.preventDefault();
    if (!file) {
      setError('Choose a file first.');
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    setRowErrors([]);
    try {
      setResult(await api.importTasks(props.projectId, format, file));
      props.onImported();
    } catch (e) {
      if (e instanceof ApiError && e.rowErrors.length > 0) {
        setRowErrors(e.rowErrors);
        setError(`${e.rowErrors.length} row${e.rowErrors.length === 1 ? '' : 's'} need fixing; nothing was imported.`);
      } else {
        setError(errorText(e));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload items</h2>
      <form onSubmit={upload}>
        <Field label="Tasks file" id="tasks-file" hint="JSONL (one task per line), CSV with a header, or Label Studio JSON. A gold column/field marks check questions.">
          <input
            id="tasks-file"
            type="file"
            accept=".jsonl,.ndjson,.csv,.json,application/json,text/csv"
            aria-describedby="tasks-file-hint"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0] ?? null;
              setFile(f);
              const guess = f ? formatFromFileName(f.name) : null;
              if (guess) setFormat(guess);
            }}
          />
        </Field>
        <Field label="Format" id="tasks-format">
          <select id="tasks-format" value={format} onChange={(e) => setFormat(e.currentTarget.value as TaskFormat)}>
            {FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </Field>
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      {result && (
        <Alert kind="success" testId="upload-result">
          Imported {result.imported} item{result.imported === 1 ? '' : 's'} ({result.gold} gold
          {result.training ? `, ${result.training} of them training` : ''}).
        </Alert>
      )}
      {error && <Alert kind="error" testId="upload-error">{error}</Alert>}
      {rowErrors.length > 0 && (
        <div class="table-wrap">
          <table class="row-errors" data-testid="row-errors">
            <caption class="visually-hidden">Rows with errors</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Field</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {rowErrors.slice(0, 100).map((r, i) => (
                <tr key={i}>
                  <td>{r.line}</td>
                  <td>{r.field ?? '—'}</td>
                  <td>{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rowErrors.length > 100 && <p class="hint">…and {rowErrors.length - 100} more.</p>}
        </div>
      )}
    </section>
  );
}

function FundCard(props: { projectId: number; initialBudget?: number }) {
  const [amount, setAmount] = useState('1000');
  const [budget, setBudget] = useState<number | undefined>(props.initialBudget);
  const [credit, setCredit] = useState<number | undefined>(undefined);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  // Funding spends the requester's own credit, which the operator adds when a payment arrives.
  async function loadCredit() {
    try {
      setCredit((await api.profile()).balances.AIA);
    } catch {
      setCredit(undefined);
    }
  }
  useEffect(() => {
    void loadCredit();
  }, []);

  async function fund(event: Event) {
    event.preventDefault();
    const n = Number(amount);
    if (!Number.isInteger(n) || n <= 0) {
      setMessage({ kind: 'error', text: 'Enter a whole number of AIA greater than 0.' });
      return;
    }
    setBusy(true);
    try {
      const result = await api.fund(props.projectId, n);
      setBudget(result.budget_aia);
      setMessage({ kind: 'success', text: `Added ${formatAia(n)}. Budget is now ${formatAia(result.budget_aia)}.` });
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
      void loadCredit();
    }
  }

  return (
    <section class="card" aria-labelledby="fund-title">
      <h2 id="fund-title">Reward budget</h2>
      <p class="big-number" data-testid="budget">
        {budget === undefined ? '—' : formatAia(budget)}
      </p>
      {budget === undefined && <p class="hint">The budget is shown after you add funds (the project record does not carry it).</p>}
      <p class="hint" data-testid="credit">
        Your credit: {credit === undefined ? '—' : formatAia(credit)}. Funding moves it into this project's budget; the operator adds credit when
        your payment arrives.
      </p>
      <form onSubmit={fund} class="inline-form">
        <label for="fund-amount">Amount (AIA)</label>
        <input id="fund-amount" type="number" min={1} step={1} value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
        <button class="btn btn-primary" type="submit" disabled={busy}>
          Fund
        </button>
      </form>
      {message && <Alert kind={message.kind} testId="fund-message">{message.text}</Alert>}
    </section>
  );
}

/**
 * Workers whose answers are held (far faster than is typical here, or answers that say nothing
 * about the truth): held answers count towards no label and earn nothing until released.
 */
function ReviewsCard(props: { projectId: number; heldAnswers: number; onDecided: () => void }) {
  const [reviews, setReviews] = useState<Review[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  async function load() {
    try {
      setReviews(await api.reviews(props.projectId));
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  }
  // Loaded at first and again whenever the number of held answers changes.
  useEffect(() => {
    void load();
  }, [props.projectId, props.heldAnswers]);

  async function decide(annotator: string, decision: 'release' | 'reject') {
    setBusy(annotator);
    try {
      const after = await api.decideReview(props.projectId, annotator, decision);
      setMessage({
        kind: 'success',
        text: decision === 'release' ? `Released ${annotator}: their answers are judged and paid.` : `Rejected ${annotator}: their held answers earn nothing and they get no more tasks here.`,
      });
      setReviews((list) => (list ?? []).map((r) => (r.annotator === annotator ? after : r)));
      props.onDecided();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section class="card" aria-labelledby="reviews-title" data-testid="reviews">
      <h2 id="reviews-title">Held for review</h2>
      {reviews === null ? (
        <p class="muted">Loading…</p>
      ) : reviews.length === 0 ? (
        <p class="muted">Nobody's answers are held. Answers far faster than is typical here, or from a worker whose answers say nothing about the truth, wait here for you.</p>
      ) : (
        <div class="table-wrap">
        <table class="row-errors">
          <thead>
            <tr>
              <th scope="col">Annotator</th>
              <th scope="col">Why</th>
              <th scope="col">Held answers</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {reviews.map((r) => (
              <tr key={r.annotator} data-testid="review-row">
                <td><code>{r.annotator}</code></td>
                <td>{r.reason}</td>
                <td>{r.held_answers}</td>
                <td>
                  {r.state === 'held' ? (
                    <span class="inline-actions">
                      <button class="btn" type="button" disabled={busy !== null} onClick={() => void decide(r.annotator, 'release')}>
                        Release
                      </button>
                      <button class="btn btn-danger" type="button" disabled={busy !== null} onClick={() => void decide(r.annotator, 'reject')}>
                        Reject
                      </button>
                    </span>
                  ) : (
                    <span class={`status status-${r.state}`}>{r.state}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {message && <Alert kind={message.kind} testId="review-message">{message.text}</Alert>}
    </section>
  );
}

function ExportCard(props: { projectId: number; title: string }) {
  const [busy, setBusy] = useState<TaskFormat | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function download(format: TaskFormat) {
    setBusy(format);
    setError(null);
    try {
      const blob = await api.exportFile(props.projectId, format);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      const slug = props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'project';
      a.href = url;
      a.download = `${slug}-${props.projectId}.${format === 'csv' ? 'csv' : format === 'jsonl' ? 'jsonl' : 'json'}`;
      document.body.append(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }
  return (
    <section class="card" aria-labelledby="export-title">
      <h2 id="export-title">Download the dataset</h2>
      <p>Consensus label, confidence and pseudonymous raw answers for every item.</p>
      <div class="button-row">
        {FORMATS.map((f) => (
          <button key={f.value} class="btn" type="button" disabled={busy !== null} onClick={() => download(f.value)}>
            {busy === f.value ? 'Preparing…' : `Export ${f.label}`}
          </button>
        ))}
      </div>
      {error && <Alert kind="error">{error}</Alert>}
    </section>
  );
}
