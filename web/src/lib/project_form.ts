// Turns the requester's "new project" form into a docs/api.md `project_input`, applying the same
// rules the server applies so mistakes are shown next to the field before anything is sent.
// Field names in errors are the API's dotted paths (e.g. "overlap.max_answers"), so errors the
// server returns land on the same inputs.

import { DOMAINS, type Domain, type ProjectInput, type QuestionType } from '../api/types';

/** The form's raw state: every input as the user typed it. */
export interface ProjectForm {
  title: string;
  instructions: string;
  type: QuestionType;
  /** One row per option; `value` may be left empty to derive it from the label. */
  options: { value: string; label: string }[];
  min: string;
  max: string;
  step: string;
  domain: Domain;
  tier: string;
  minLevel: string;
  minAnswers: string;
  maxAnswers: string;
  targetConfidence: string;
  rewardAia: string;
  goldRate: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export function emptyProjectForm(): ProjectForm {
  return {
    title: '',
    instructions: '',
    type: 'single_choice',
    options: [
      { value: '', label: '' },
      { value: '', label: '' },
    ],
    min: '0',
    max: '100',
    step: '1',
    domain: 'general',
    tier: '1',
    minLevel: '1',
    minAnswers: '3',
    maxAnswers: '5',
    targetConfidence: '0.9',
    rewardAia: '10',
    goldRate: '0.1',
  };
}

/** A stable option value derived from its label: "Traffic light" -> "traffic_light". */
export function slugify(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function number(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Either the API input or every error found, in form order. */
export function buildProjectInput(form: ProjectForm): { input: ProjectInput } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const need = (field: string, message: string) => errors.push({ field, message });

  const title = form.title.trim();
  if (!title) need('title', 'Give the project a title.');
  else if (title.length > 200) need('title', 'Keep the title under 200 characters.');
  const instructions = form.instructions.trim();
  if (!instructions) need('instructions', 'Tell annotators what to do.');

  const question: ProjectInput['question'] = { type: form.type };
  if (form.type === 'single_choice' || form.type === 'multi_choice') {
    const rows = form.options.filter((o) => o.label.trim() || o.value.trim());
    const options = rows.map((o) => ({ value: o.value.trim() || slugify(o.label), label: o.label.trim() || o.value.trim() }));
    if (options.length < 2 || options.length > 50) need('question.options', 'Choice questions need 2 to 50 options.');
    const seen = new Set<string>();
    options.forEach((o, i) => {
      if (!o.value) need(`question.options[${i}].value`, `Option ${i + 1} needs a value.`);
      else if (seen.has(o.value)) need(`question.options[${i}].value`, `Option value "${o.value}" is used twice.`);
      seen.add(o.value);
    });
    question.options = options;
  } else if (form.type === 'numeric') {
    const min = number(form.min);
    const max = number(form.max);
    const step = number(form.step);
    if (min === null) need('question.min', 'Minimum must be a number.');
    if (max === null) need('question.max', 'Maximum must be a number.');
    if (min !== null && max !== null && !(min < max)) need('question.max', 'Maximum must be greater than minimum.');
    if (form.step.trim() !== '' && (step === null || step <= 0)) need('question.step', 'Step must be a positive number.');
    if (min !== null) question.min = min;
    if (max !== null) question.max = max;
    if (step !== null && step > 0) question.step = step;
  }

  if (!DOMAINS.includes(form.domain)) need('domain', 'Pick a domain.');
  const tier = number(form.tier);
  if (tier !== 1 && tier !== 2 && tier !== 3) need('tier', 'Tier is 1, 2 or 3.');
  const minLevel = number(form.minLevel);
  if (minLevel === null || !Number.isInteger(minLevel) || minLevel < 1) need('min_level', 'Minimum level is a whole number, at least 1.');

  const minAnswers = number(form.minAnswers);
  const maxAnswers = number(form.maxAnswers);
  const target = number(form.targetConfidence);
  const isCount = (n: number | null) => n !== null && Number.isInteger(n) && n >= 1 && n <= 100;
  if (!isCount(minAnswers)) need('overlap.min_answers', 'Minimum answers is a whole number from 1 to 100.');
  if (!isCount(maxAnswers)) need('overlap.max_answers', 'Maximum answers is a whole number from 1 to 100.');
  else if (isCount(minAnswers) && maxAnswers! < minAnswers!) {
    need('overlap.max_answers', 'Maximum answers must be at least the minimum.');
  }
  if (target === null || target < 0.5 || target >= 1) need('overlap.target_confidence', 'Target confidence is at least 0.5 and below 1.');

  const reward = number(form.rewardAia);
  if (reward === null || !Number.isInteger(reward) || reward < 0) need('reward_aia', 'Reward is a whole number of AIA, 0 or more.');
  const goldRate = number(form.goldRate);
  if (goldRate === null || goldRate < 0 || goldRate > 1) need('gold_rate', 'Gold rate is between 0 and 1.');

  if (errors.length > 0) return { errors };
  return {
    input: {
      title,
      instructions,
      question,
      domain: form.domain,
      tier: tier as 1 | 2 | 3,
      min_level: minLevel!,
      overlap: { min_answers: minAnswers!, max_answers: maxAnswers!, target_confidence: target! },
      reward_aia: reward!,
      gold_rate: goldRate!,
    },
  };
}

/** The task-file format implied by a file name, or null when the extension says nothing. */
export function formatFromFileName(name: string): 'jsonl' | 'csv' | 'labelstudio' | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'labelstudio';
  return null;
}
