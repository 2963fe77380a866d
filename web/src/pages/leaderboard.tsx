// Daily, weekly and all-time leaderboards.

import { useEffect, useState } from 'preact/hooks';
import type { Leaderboard, LeaderboardPeriod } from '../api/types';
import { Alert, errorText } from '../components/ui';
import { api } from '../session';

const PERIODS: { value: LeaderboardPeriod; label: string }[] = [
  { value: 'daily', label: 'Today' },
  { value: 'weekly', label: 'This week' },
  { value: 'all', label: 'All time' },
];

export function LeaderboardPage(props: { displayName: string }) {
  const [period, setPeriod] = useState<LeaderboardPeriod>('weekly');
  const [board, setBoard] = useState<Leaderboard | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setBoard(null);
    api.leaderboard(period).then(
      (b) => {
        setBoard(b);
        setError(null);
      },
      (e) => setError(errorText(e)),
    );
  }, [period]);

  return (
    <main id="main" class="leaderboard">
      <h1>Leaderboard</h1>
      <div class="tabs" role="tablist" aria-label="Period">
        {PERIODS.map((p) => (
          <button key={p.value} role="tab" type="button" aria-selected={period === p.value} class={`tab${period === p.value ? ' tab-active' : ''}`} onClick={() => setPeriod(p.value)}>
            {p.label}
          </button>
        ))}
      </div>
      {error && <Alert kind="error">{error}</Alert>}
      {!board && !error && <p class="muted">Loading…</p>}
      {board && board.entries.length === 0 && <p class="muted">Nobody has earned XP in this period yet. Be the first!</p>}
      {board && board.entries.length > 0 && (
        <ol class="board" data-testid="leaderboard" role="tabpanel">
          {board.entries.map((e) => (
            <li key={`${e.rank}-${e.display_name}`} class={e.display_name === props.displayName ? 'board-me' : ''}>
              <span class={`rank rank-${e.rank}`}>{e.rank}</span>
              <span class="board-name">{e.display_name}</span>
              <span class="board-xp">{e.xp.toLocaleString('en-US')} XP</span>
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
