// The desk's shell: sign-in, the navigation, the live feed, and the route (#/inbox/<view>/<id>,
// #/tickets/<id>, #/rules). Every view re-reads what it shows when the feed says something changed.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, html, setCsrf, ApiError } from './api.js';
import { useLive, NotificationBell } from './live.js';
import { Inbox } from './inbox.js';
import { Tickets } from './tickets.js';
import { RoutingRules } from './rules.js';
import { CannedResponses } from './canned.js';
import { MissedQuestions } from './missed.js';
import { initials } from './format.js';
import { Reports } from './reports.js';
import { RootCauses } from './root-causes.js';
import { Usage } from './usage.js';
import { Health } from './health.js';
import { Translations } from './translations.js';
import { InboxIcon, TicketIcon, RulesIcon, CannedIcon, ReportsIcon, RootCauseIcon, UsageIcon, HealthIcon, MissedIcon, TranslateIcon } from './icons.js';

/** Insights pages (#/<section>[?from=…&to=…&shop=…]); each reads its own query. */
const INSIGHTS = ['reports', 'root-causes', 'missed', 'usage', 'health'];

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').map(decodeURIComponent);
  const [section = 'inbox', a, b] = parts;
  if (section === 'tickets') return { section, id: a || null };
  if (section === 'rules' || section === 'canned' || section === 'translations' || INSIGHTS.includes(section)) return { section };
  return { section: 'inbox', view: a || 'waiting', id: b || null };
}

function SignIn({ onSignedIn }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api('/session', { method: 'POST', body: { login, password } });
      setCsrf(r.csrfToken);
      onSignedIn(r.agent);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="signin">
    <form class="signin-card" onSubmit=${submit}>
      <div class="brand big"><span class="logo">S</span> sora-cs <span class="muted">desk</span></div>
      <h1>Sign in</h1>
      <label>Agent id or e-mail<input name="login" autocomplete="username" value=${login} onInput=${(e) => setLogin(e.target.value)} required /></label>
      <label>Password<input name="password" type="password" autocomplete="current-password" value=${password} onInput=${(e) => setPassword(e.target.value)} required /></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      <p class="hint">First time? An admin creates your account with <code>sora agents add</code>.</p>
    </form>
  </div>`;
}

function Presence() {
  const [presence, setPresence] = useState(() => localStorage.getItem('sora-desk-presence') || 'online');
  const [note, setNote] = useState(null);
  const set = async (p) => {
    setPresence(p);
    localStorage.setItem('sora-desk-presence', p);
    try {
      await api('/me/presence', { method: 'PUT', body: { presence: p } });
      setNote(null);
    } catch (e) {
      // Until presence is served (another part of the desk), the toggle is local only.
      setNote(e instanceof ApiError && e.status === 404 ? 'presence not saved by this server' : e.message);
    }
  };
  useEffect(() => {
    set(presence);
  }, []);
  return html`<button
    class=${'presence ' + presence}
    title=${note || 'Routing assigns conversations to online agents'}
    onClick=${() => set(presence === 'online' ? 'away' : 'online')}
  >
    <span class="dot"></span>${presence === 'online' ? 'Online' : 'Away'}
  </button>`;
}

function Shell({ me, onSignOut }) {
  const [route, setRoute] = useState(parseRoute());
  useEffect(() => {
    const f = () => setRoute(parseRoute());
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  const live = useLive();
  const nav = (section, label, icon) =>
    html`<a class=${'nav-item' + (route.section === section ? ' active' : '')} href=${'#/' + section} title=${label}>
      <span class="nav-icon">${icon}</span><span>${label}</span>
    </a>`;
  return html`<div class="shell">
    <header class="topbar">
      <div class="brand"><span class="logo">S</span> sora-cs <span class="muted">desk</span></div>
      <div class="topbar-right">
        <span class=${'live-dot ' + (live.connected ? 'on' : 'off')} title=${live.connected ? 'Live updates on' : 'Reconnecting…'}></span>
        <${Presence} />
        <${NotificationBell} live=${live} />
        <span class="me"><span class="avatar">${initials(me.name)}</span>${me.name}<small>${me.role}</small></span>
        <button class="ghost" onClick=${onSignOut}>Sign out</button>
      </div>
    </header>
    <nav class="rail">
      ${nav('inbox', 'Inbox', InboxIcon())} ${nav('tickets', 'Tickets', TicketIcon())} ${me.role === 'admin' && nav('canned', 'Canned', CannedIcon())}
      ${me.role === 'admin' && nav('rules', 'Routing', RulesIcon())} ${nav('translations', 'Translations', TranslateIcon())}
      <div class="nav-group" role="presentation">Insights</div>
      ${nav('reports', 'Reports', ReportsIcon())} ${nav('root-causes', 'Causes', RootCauseIcon())} ${nav('missed', 'Missed', MissedIcon())}
      ${me.role === 'admin' && nav('usage', 'Usage', UsageIcon())} ${nav('health', 'Health', HealthIcon())}
    </nav>
    <main class="content">
      ${route.section === 'inbox' && html`<${Inbox} me=${me} route=${route} live=${live} />`}
      ${route.section === 'tickets' && html`<${Tickets} me=${me} id=${route.id} live=${live} />`}
      ${route.section === 'rules' && html`<${RoutingRules} me=${me} />`}
      ${route.section === 'canned' && html`<${CannedResponses} me=${me} />`}
      ${route.section === 'reports' && html`<${Reports} me=${me} />`}
      ${route.section === 'root-causes' && html`<${RootCauses} me=${me} />`}
      ${route.section === 'usage' && html`<${Usage} me=${me} />`}
      ${route.section === 'health' && html`<${Health} me=${me} />`}
      ${route.section === 'missed' && html`<${MissedQuestions} me=${me} />`}
      ${route.section === 'translations' && html`<${Translations} me=${me} />`}
    </main>
  </div>`;
}

function App() {
  const [me, setMe] = useState(undefined);
  useEffect(() => {
    api('/session')
      .then((r) => {
        setCsrf(r.csrfToken || null);
        setMe(r.agent);
      })
      .catch(() => setMe(null));
  }, []);
  const signOut = async () => {
    await api('/session', { method: 'DELETE' }).catch(() => null);
    setCsrf(null);
    setMe(null);
  };
  if (me === undefined) return html`<p class="boot">Loading the desk…</p>`;
  if (!me) return html`<${SignIn} onSignedIn=${setMe} />`;
  return html`<${Shell} me=${me} onSignOut=${signOut} />`;
}

render(html`<${App} />`, document.getElementById('app'));
