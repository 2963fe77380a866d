// The app shell: session, navigation and routes.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api/client';
import type { Session } from './api/types';
import { matchPath, navigate, onLinkClick, useLocation } from './lib/router';
import { AnnotatePage } from './pages/annotate';
import { AuthPage } from './pages/auth';
import { LeaderboardPage } from './pages/leaderboard';
import { LedgerPage } from './pages/ledger';
import { ProfilePage } from './pages/profile';
import { ProjectPage } from './pages/project';
import { NewProjectPage, ProjectListPage } from './pages/projects';
import { api, isRequester, saveSession, storedSession } from './session';

export function App() {
  const [session, setSession] = useState<Session | null>(storedSession);
  const { path, query } = useLocation();
  const firstRender = useRef(true);

  useEffect(() => {
    if (!session) return;
    api.me().then(
      (user) => {
        const next = { ...session, user };
        saveSession(next);
        setSession(next);
      },
      (e) => {
        if (e instanceof ApiError && e.status === 401) signOut(false);
      },
    );
  }, [session?.token]);

  // Move focus to the new page so keyboard and screen-reader users start at its content.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const main = document.getElementById('main');
    main?.setAttribute('tabindex', '-1');
    main?.focus({ preventScroll: true });
    const h1 = document.querySelector('main h1');
    document.title = h1?.textContent ? `${h1.textContent} · tinydata` : 'tinydata';
  }, [path]);

  function onSession(s: Session) {
    saveSession(s);
    setSession(s);
  }

  function signOut(callServer = true) {
    if (callServer) api.logout().catch(() => undefined);
    saveSession(null);
    setSession(null);
    navigate('/login', { replace: true });
  }

  let page;
  let params: Record<string, string> | null;
  if (path === '/login' || path === '/signup') {
    if (session) {
      navigate(isRequester(session.user) ? '/projects' : '/annotate', { replace: true });
      return null;
    }
    page = <AuthPage key={path} mode={path === '/login' ? 'login' : 'signup'} referral={query.get('ref') ?? ''} onSession={onSession} />;
  } else if (path === '/ledger') {
    const entry = query.get('entry');
    page = <LedgerPage initialIndex={entry !== null && /^\d+$/.test(entry) ? Number(entry) : undefined} />;
  } else if (!session) {
    navigate('/login', { replace: true });
    return null;
  } else if (path === '/') {
    navigate(isRequester(session.user) ? '/projects' : '/annotate', { replace: true });
    return null;
  } else if (path === '/annotate') {
    page = <AnnotatePage user={session.user} />;
  } else if (path === '/profile') {
    page = <ProfilePage user={session.user} />;
  } else if (path === '/leaderboard') {
    page = <LeaderboardPage displayName={session.user.display_name} />;
  } else if (path === '/projects') {
    page = <ProjectListPage />;
  } else if (path === '/projects/new') {
    page = <NewProjectPage />;
  } else if ((params = matchPath('/projects/:id', path)) && /^\d+$/.test(params.id)) {
    page = <ProjectPage key={params.id} id={Number(params.id)} />;
  } else {
    page = (
      <main id="main">
        <h1>Page not found</h1>
        <p>
          <a href="/">Go to the start page</a>
        </p>
      </main>
    );
  }

  const requester = session ? isRequester(session.user) : false;
  const links = session
    ? requester
      ? [
          ['/projects', 'Projects'],
          ['/annotate', 'Annotate'],
          ['/ledger', 'Ledger'],
        ]
      : [
          ['/annotate', 'Answer'],
          ['/profile', 'Profile'],
          ['/leaderboard', 'Ranks'],
          ['/ledger', 'Ledger'],
        ]
    : [
        ['/login', 'Log in'],
        ['/ledger', 'Ledger'],
      ];

  return (
    <div class="shell" onClick={(e) => onLinkClick(e as unknown as MouseEvent)}>
      <a class="skip-link" href="#main" onClick={(e) => {
          e.preventDefault();
          const main = document.getElementById('main');
          main?.setAttribute('tabindex', '-1');
          main?.focus();
        }}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          tinydata
        </a>
        <nav aria-label="Main" class="nav">
          {links.map(([href, label]) => (
            <a key={href} href={href} class="nav-link" aria-current={path === href || (href !== '/' && path.startsWith(`${href}/`)) ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        {session && (
          <button class="btn btn-quiet" type="button" onClick={() => signOut()}>
            Log out
          </button>
        )}
      </header>
      {page}
    </div>
  );
}
