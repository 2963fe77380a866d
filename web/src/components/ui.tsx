// Small shared building blocks: labelled fields, alerts, the XP bar, error text.

import type { ComponentChildren } from 'preact';
import { ApiError, NetworkError } from '../api/client';

export function Field(props: {
  label: string;
  id: string;
  hint?: string;
  error?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && !props.error && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** aria-describedby / aria-invalid for an input rendered inside <Field>. */
export function describedBy(id: string, error?: string, hint?: string): { 'aria-describedby'?: string; 'aria-invalid'?: boolean } {
  const ids = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return { 'aria-describedby': ids, 'aria-invalid': error ? true : undefined };
}

export type AlertKind = 'info' | 'success' | 'warning' | 'error';

export function Alert(props: { kind: AlertKind; title?: string; children?: ComponentChildren; testId?: string }) {
  return (
    <div class={`alert alert-${props.kind}`} role={props.kind === 'error' || props.kind === 'warning' ? 'alert' : 'status'} data-testid={props.testId}>
      {props.title && <strong>{props.title}</strong>}
      {props.children && <div>{props.children}</div>}
    </div>
  );
}

/** A human sentence for any error thrown by the ApiClient. */
export function errorText(error: unknown): string {
  if (error instanceof NetworkError) return 'Cannot reach the server. Check your connection and try again.';
  if (error instanceof ApiError) return error.message || `Request failed (${error.status}).`;
  return error instanceof Error ? error.message : String(error);
}

export function XpBar(props: { level: number; xp: number; xpToNext: number }) {
  // xp_to_next is what is still missing, so the bar shows progress through the current level.
  const span = props.xp + props.xpToNext;
  const fraction = props.xpToNext <= 0 ? 1 : Math.min(1, Math.max(0, span > 0 ? props.xp / span : 0));
  return (
    <div class="xp">
      <span class="level-badge" aria-label={`Level ${props.level}`}>
        Lv {props.level}
      </span>
      <div
        class="xp-track"
        role="progressbar"
        aria-label="Experience toward next level"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
        aria-valuetext={`${props.xp} XP, ${props.xpToNext} XP to level ${props.level + 1}`}
      >
        <div class="xp-fill" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span class="xp-text">{props.xpToNext > 0 ? `${props.xpToNext} XP to next` : 'Level up ready'}</span>
    </div>
  );
}

export const formatAia = (n: number) => `${n.toLocaleString('en-US')} AIA`;
export const formatPercent = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);
