// The annotator's profile: level and XP, balances, gold accuracy over time, referral link,
// and the level-up action.

import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Profile, User } from '../api/types';
import { LineChart } from '../components/charts';
import { Alert, errorText, formatAia, formatPercent } from '../components/ui';
import { api } from '../session';
import { StatsBar } from './annotate';

export function ProfilePage(props: { user: User }) {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [levelMessage, setLevelMessage] = useState<{ kind: 'success' | 'warning' | 'error'; text: string } | null>(null);
  const [copied, setCopied] = useState(false);

  const load = () =>
    api.profile().then(
      (p) => {
        setProfile(p);
        setError(null);
      },
      (e) => setError(errorText(e)),
    );
  useEffect(() => void load(), []);

  const code = profile?.user.referral_code ?? props.user.referral_code;
  const referralLink = `${location.origin}/signup?ref=${encodeURIComponent(code)}`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(referralLink);
      setCopied(true);
    } catch {
      // Clipboard access can be refused (insecure origin, permissions); the link stays selectable.
      (document.getElementById('referral-link') as HTMLInputElement | null)?.select();
    }
  }

  async function levelUp() {
    try {
      const result = await api.levelUp();
      setLevelMessage({ kind: 'success', text: `You reached level ${result.level}! Harder, better-paid questions are unlocked.` });
      await load();
    } catch (e) {
      setLevelMessage(
        e instanceof ApiError && e.status === 409
          ? { kind: 'warning', text: e.message || 'Not enough XP or AIA to level up yet.' }
          : { kind: 'error', text: errorText(e) },
      );
    }
  }

  return (
    <main id="main" class="profile">
      <h1>{profile?.user.display_name || props.user.display_name || props.user.email}</h1>
      {error && <Alert kind="error">{error}</Alert>}
      <StatsBar profile={profile} user={props.user} onCheckedIn={load} />
      {profile && (
        <>
          <section class="card">
            <h2>Rewards</h2>
            <dl class="facts">
              <div>
                <dt>AIA balance</dt>
                <dd>{formatAia(profile.balances.AIA)}</dd>
              </div>
              <div>
                <dt>Pending AIA</dt>
                <dd>{formatAia(profile.pending_aia)}</dd>
              </div>
              <div>
                <dt>AGT</dt>
                <dd>{profile.balances.AGT.toLocaleString('en-US')}</dd>
              </div>
              <div>
                <dt>Accuracy on check questions</dt>
                <dd data-testid="gold-accuracy">{formatPercent(profile.gold_accuracy)}</dd>
              </div>
            </dl>
            <button class="btn" type="button" onClick={levelUp} disabled={profile.xp_to_next > 0}>
              {profile.xp_to_next > 0
                ? `Level up (needs ${profile.xp_to_next} more XP)`
                : `Level up to ${profile.level + 1}${profile.next_level_cost_aia ? ` for ${formatAia(profile.next_level_cost_aia)}` : ''}`}
            </button>
            {levelMessage && <Alert kind={levelMessage.kind}>{levelMessage.text}</Alert>}
          </section>
          <section class="card">
            <LineChart
              title="Accuracy on check questions over time"
              points={profile.accuracy_history.map((h) => ({ label: h.day, value: h.accuracy }))}
              testId="accuracy-chart"
            />
          </section>
        </>
      )}
      <section class="card">
        <h2>Invite friends</h2>
        <p>When someone you invite passes their first check questions, you earn a bonus on their accepted answers (it is never taken from them).</p>
        <label for="referral-link">Your referral link</label>
        <div class="copy-row">
          <input id="referral-link" readOnly value={referralLink} onFocus={(e) => e.currentTarget.select()} data-testid="referral-link" />
          <button class="btn" type="button" onClick={copy}>
            {copied ? 'Copied ✓' : 'Copy'}
          </button>
        </div>
      </section>
    </main>
  );
}
