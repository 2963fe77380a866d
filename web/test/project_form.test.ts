// The new-project form applies docs/api.md's project_input rules before anything is sent.
import { describe, expect, it } from 'vitest';
import { buildProjectInput, emptyProjectForm, formatFromFileName, slugify, type ProjectForm } from '../src/lib/project_form';

const filled = (change: Partial<ProjectForm> = {}): ProjectForm => ({
  ...emptyProjectForm(),
  title: 'Street signs',
  instructions: 'Pick the sign in the photo.',
  options: [
    { value: '', label: 'Stop sign' },
    { value: 'yield', label: 'Yield' },
  ],
  ...change,
});

const errorFields = (form: ProjectForm) => {
  const result = buildProjectInput(form);
  return 'errors' in result ? result.errors.map((e) => e.field) : [];
};

describe('buildProjectInput', () => {
  it('builds a single-choice project with values derived from labels', () => {
    const result = buildProjectInput(filled());
    expect(result).toEqual({
      input: {
        title: 'Street signs',
        instructions: 'Pick the sign in the photo.',
        question: {
          type: 'single_choice',
          options: [
            { value: 'stop_sign', label: 'Stop sign' },
            { value: 'yield', label: 'Yield' },
          ],
        },
        domain: 'general',
        tier: 1,
        min_level: 1,
        overlap: { min_answers: 3, max_answers: 5, target_confidence: 0.9 },
        reward_aia: 10,
        gold_rate: 0.1,
      },
    });
  });

  it('ignores blank option rows but needs two options', () => {
    expect(errorFields(filled({ options: [{ value: '', label: 'Only' }, { value: '', label: ' ' }] }))).toEqual(['question.options']);
  });

  it('rejects duplicate option values', () => {
    const options = [
      { value: 'a', label: 'A' },
      { value: 'a', label: 'Also A' },
    ];
    expect(errorFields(filled({ options }))).toEqual(['question.options[1].value']);
  });

  it('builds a numeric question without options and needs min below max', () => {
    const ok = buildProjectInput(filled({ type: 'numeric', min: '1', max: '5', step: '0.5' }));
    expect('input' in ok && ok.input.question).toEqual({ type: 'numeric', min: 1, max: 5, step: 0.5 });
    expect(errorFields(filled({ type: 'numeric', min: '5', max: '5' }))).toEqual(['question.max']);
  });

  it('applies the overlap rules 1 <= min <= max <= 100 and 0.5 <= target < 1', () => {
    expect(errorFields(filled({ minAnswers: '4', maxAnswers: '3' }))).toEqual(['overlap.max_answers']);
    expect(errorFields(filled({ minAnswers: '0', maxAnswers: '101' }))).toEqual(['overlap.min_answers', 'overlap.max_answers']);
    expect(errorFields(filled({ targetConfidence: '1' }))).toEqual(['overlap.target_confidence']);
    expect(errorFields(filled({ targetConfidence: '0.49' }))).toEqual(['overlap.target_confidence']);
  });

  it('needs a title, instructions, a whole reward and a gold rate in [0, 1]', () => {
    expect(errorFields(filled({ title: ' ', instructions: '', rewardAia: '1.5', goldRate: '2' }))).toEqual([
      'title',
      'instructions',
      'reward_aia',
      'gold_rate',
    ]);
  });
});

describe('helpers', () => {
  it('slugifies labels into option values', () => {
    expect(slugify('  Café au lait! ')).toBe('cafe_au_lait');
  });

  it('guesses the task format from the file name', () => {
    expect(['a.jsonl', 'b.NDJSON', 'c.csv', 'd.json', 'e.txt'].map(formatFromFileName)).toEqual([
      'jsonl',
      'jsonl',
      'csv',
      'labelstudio',
      null,
    ]);
  });
});
