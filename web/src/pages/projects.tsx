// Requester console: the project list and the "new project" form that builds the question spec.

import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { DOMAINS, type Project, type QuestionType } from '../api/types';
import { Alert, Field, describedBy, errorText } from '../components/ui';
import { buildProjectInput, emptyProjectForm, type ProjectForm } from '../lib/project_form';
import { navigate } from '../lib/router';
import { api } from '../session';

export function ProjectListPage() {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.listProjects().then(setProjects, (e) => setError(errorText(e)));
  }, []);
  return (
    <main id="main" class="projects">
      <div class="page-head">
        <h1>Your projects</h1>
        <a class="btn btn-primary" href="/projects/new">
          New project
        </a>
      </div>
      {error && <Alert kind="error">{error}</Alert>}
      {projects && projects.length === 0 && (
        <div class="card empty">
          <h2>No projects yet</h2>
          <p>Create a project, upload the items to label, fund the rewards and watch the answers come in.</p>
        </div>
      )}
      {projects && projects.length > 0 && (
        <ul class="project-list">
          {projects.map((p) => (
            <li key={p.id} class="card">
              <a href={`/projects/${p.id}`} class="project-link">
                <strong>{p.title}</strong>
              </a>
              <span class={`status status-${p.status}`}>{p.status}</span>
              <p class="muted">
                {p.question.type.replace('_', ' ')} · {p.domain} · reward {p.reward_aia} AIA
              </p>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

const TYPES: { value: QuestionType; label: string }[] = [
  { value: 'single_choice', label: 'Single choice' },
  { value: 'multi_choice', label: 'Multiple choice' },
  { value: 'numeric', label: 'Number' },
  { value: 'text', label: 'Free text' },
];

export function NewProjectPage() {
  const [form, setForm] = useState<ProjectForm>(emptyProjectForm);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof ProjectForm>(key: K, value: ProjectForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const setOption = (i: number, key: 'value' | 'label', value: string) =>
    setForm((f) => ({ ...f, options: f.options.map((o, j) => (j === i ? { ...o, [key]: value } : o)) }));

  async function submit(event: Event) {
    event.preventDefault();
    const built = buildProjectInput(form);
    if ('errors' in built) {
      setErrors(Object.fromEntries(built.errors.map((e) => [e.field, e.message])));
      const first = built.errors[0].field;
      document.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    setError(null);
    try {
      const project = await api.createProject(built.input);
      navigate(`/projects/${project.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.field) setErrors({ [e.field]: e.message });
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const input = (key: keyof ProjectForm, field: string, extra: Record<string, unknown> = {}) => ({
    id: field.replace(/[.[\]]+/g, '_'),
    'data-field': field,
    value: form[key] as string,
    onInput: (e: Event) => set(key, (e.currentTarget as HTMLInputElement).value as never),
    ...describedBy(field.replace(/[.[\]]+/g, '_'), errors[field]),
    ...extra,
  });
  const isChoice = form.type === 'single_choice' || form.type === 'multi_choice';

  return (
    <main id="main" class="new-project">
      <h1>New project</h1>
      {error && <Alert kind="error">{error}</Alert>}
      <form onSubmit={submit} noValidate class="card">
        <Field label="Title" id="title" error={errors.title}>
          <input {...input('title', 'title')} />
        </Field>
        <Field label="Instructions for annotators" id="instructions" error={errors.instructions}>
          <textarea rows={3} {...input('instructions', 'instructions')} />
        </Field>
        <fieldset class="field">
          <legend>Question type</legend>
          <div class="segmented">
            {TYPES.map((t) => (
              <label key={t.value}>
                <input type="radio" name="qtype" value={t.value} checked={form.type === t.value} onChange={() => set('type', t.value)} />
                <span>{t.label}</span>
              </label>
            ))}
          </div>
        </fieldset>
        {isChoice && (
          <fieldset class="field options-editor">
            <legend>Answer options</legend>
            {errors['question.options'] && (
              <p class="field-error" role="alert">
                {errors['question.options']}
              </p>
            )}
            {form.options.map((o, i) => (
              <div class="option-row" key={i}>
                <label class="visually-hidden" for={`option-label-${i}`}>
                  Option {i + 1} label
                </label>
                <input id={`option-label-${i}`} placeholder={`Label ${i + 1}`} value={o.label} onInput={(e) => setOption(i, 'label', e.currentTarget.value)} data-field={`question.options[${i}].label`} />
                <label class="visually-hidden" for={`option-value-${i}`}>
                  Option {i + 1} value
                </label>
                <input
                  id={`option-value-${i}`}
                  placeholder="Value (auto)"
                  value={o.value}
                  onInput={(e) => setOption(i, 'value', e.currentTarget.value)}
                  data-field={`question.options[${i}].value`}
                  aria-invalid={errors[`question.options[${i}].value`] ? true : undefined}
                />
                <button
                  type="button"
                  class="btn btn-icon"
                  aria-label={`Remove option ${i + 1}`}
                  disabled={form.options.length <= 2}
                  onClick={() => setForm((f) => ({ ...f, options: f.options.filter((_, j) => j !== i) }))}
                >
                  ×
                </button>
                {errors[`question.options[${i}].value`] && (
                  <p class="field-error" role="alert">
                    {errors[`question.options[${i}].value`]}
                  </p>
                )}
              </div>
            ))}
            <button type="button" class="btn" disabled={form.options.length >= 50} onClick={() => setForm((f) => ({ ...f, options: [...f.options, { value: '', label: '' }] }))}>
              Add option
            </button>
          </fieldset>
        )}
        {form.type === 'numeric' && (
          <div class="grid-3">
            <Field label="Minimum" id="question_min" error={errors['question.min']}>
              <input type="number" {...input('min', 'question.min')} />
            </Field>
            <Field label="Maximum" id="question_max" error={errors['question.max']}>
              <input type="number" {...input('max', 'question.max')} />
            </Field>
            <Field label="Step" id="question_step" error={errors['question.step']}>
              <input type="number" {...input('step', 'question.step')} />
            </Field>
          </div>
        )}
        <div class="grid-3">
          <Field label="Domain" id="domain" error={errors.domain}>
            <select id="domain" value={form.domain} onChange={(e) => set('domain', e.currentTarget.value as ProjectForm['domain'])}>
              {DOMAINS.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Difficulty tier" id="tier" error={errors.tier}>
            <select id="tier" value={form.tier} onChange={(e) => set('tier', e.currentTarget.value)}>
              <option value="1">1 · general</option>
              <option value="2">2 · domain</option>
              <option value="3">3 · advanced</option>
            </select>
          </Field>
          <Field label="Minimum level" id="min_level" error={errors.min_level}>
            <input type="number" min={1} {...input('minLevel', 'min_level')} />
          </Field>
        </div>
        <fieldset class="field">
          <legend>Answers per item</legend>
          <div class="grid-3">
            <Field label="At least" id="overlap_min_answers" error={errors['overlap.min_answers']}>
              <input type="number" min={1} max={100} {...input('minAnswers', 'overlap.min_answers')} />
            </Field>
            <Field label="At most" id="overlap_max_answers" error={errors['overlap.max_answers']}>
              <input type="number" min={1} max={100} {...input('maxAnswers', 'overlap.max_answers')} />
            </Field>
            <Field label="Stop at confidence" id="overlap_target_confidence" error={errors['overlap.target_confidence']}>
              <input type="number" min={0.5} max={0.99} step={0.01} {...input('targetConfidence', 'overlap.target_confidence')} />
            </Field>
          </div>
        </fieldset>
        <div class="grid-3">
          <Field label="Reward per accepted answer (AIA)" id="reward_aia" error={errors.reward_aia}>
            <input type="number" min={0} {...input('rewardAia', 'reward_aia')} />
          </Field>
          <Field label="Gold rate (share of check questions)" id="gold_rate" error={errors.gold_rate}>
            <input type="number" min={0} max={1} step={0.05} {...input('goldRate', 'gold_rate')} />
          </Field>
        </div>
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create project'}
        </button>
      </form>
    </main>
  );
}
