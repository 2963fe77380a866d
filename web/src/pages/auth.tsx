// Sign up and log in.

import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Session } from '../api/types';
import { Alert, Field, describedBy, errorText } from '../components/ui';
import { api, isRequester } from '../session';
import { navigate } from '../lib/router';

export function AuthPage(props: { mode: 'login' | 'signup'; referral: string; onSession: (s: Session) => void }) {
  const signup = props.mode === 'signup';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<'annotator' | 'requester'>('annotator');
  const [referral, setReferral] = useState(props.referral);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: Event) {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) errors.email = 'Enter an email address like name@example.com.';
    if (signup && password.length < 8) errors.password = 'Use at least 8 characters.';
    if (!signup && password.length === 0) errors.password = 'Enter your password.';
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const session = signup
        ? await api.register({
            email: email.trim(),
            password,
            display_name: displayName.trim() || undefined,
            role,
            referral_code: referral.trim() || undefined,
          })
        : await api.login(email.trim(), password);
      props.onSession(session);
      navigate(isRequester(session.user) ? '/projects' : '/annotate', { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.field) setFieldErrors({ [e.field]: e.message });
      else setError(e instanceof ApiError && e.status === 401 ? 'Wrong email or password.' : errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="auth" id="main">
      <div class="card auth-card">
        <h1>{signup ? 'Create your account' : 'Welcome back'}</h1>
        <p class="lede">
          {signup ? 'Answer quick questions, earn AIA points and level up.' : 'Log in to keep your streak going.'}
        </p>
        {error && <Alert kind="error">{error}</Alert>}
        <form onSubmit={submit} noValidate>
          <Field label="Email" id="email" error={fieldErrors.email}>
            <input id="email" type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} {...describedBy('email', fieldErrors.email)} />
          </Field>
          <Field label="Password" id="password" error={fieldErrors.password} hint={signup ? 'At least 8 characters.' : undefined}>
            <input
              id="password"
              type="password"
              autocomplete={signup ? 'new-password' : 'current-password'}
              required
              minLength={signup ? 8 : undefined}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              {...describedBy('password', fieldErrors.password, signup ? 'At least 8 characters.' : undefined)}
            />
          </Field>
          {signup && (
            <>
              <Field label="Display name (shown on leaderboards)" id="display_name" error={fieldErrors.display_name}>
                <input id="display_name" autocomplete="nickname" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
              </Field>
              <fieldset class="field">
                <legend>I want to</legend>
                <div class="segmented">
                  <label>
                    <input type="radio" name="role" value="annotator" checked={role === 'annotator'} onChange={() => setRole('annotator')} />
                    <span>Annotate and earn</span>
                  </label>
                  <label>
                    <input type="radio" name="role" value="requester" checked={role === 'requester'} onChange={() => setRole('requester')} />
                    <span>Request data</span>
                  </label>
                </div>
              </fieldset>
              <Field label="Referral code (optional)" id="referral_code" error={fieldErrors.referral_code}>
                <input id="referral_code" autocomplete="off" value={referral} onInput={(e) => setReferral(e.currentTarget.value)} {...describedBy('referral_code', fieldErrors.referral_code)} />
              </Field>
            </>
          )}
          <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
            {busy ? 'Please wait…' : signup ? 'Sign up' : 'Log in'}
          </button>
        </form>
        <p class="switch">
          {signup ? (
            <>
              Already have an account? <a href="/login">Log in</a>
            </>
          ) : (
            <>
              New here? <a href="/signup">Create an account</a>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
