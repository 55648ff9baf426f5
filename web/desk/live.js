// Live updates: one EventSource on /desk/api/events for the whole page. Each event bumps a counter
// per kind; views re-read what they show when "their" counter moves. The notification bell shows
// the unread count and can beep (WebAudio, no sound file).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, html, go } from './api.js';
import { ago } from './format.js';
import { BellIcon } from './icons.js';

export function useLive() {
  const [state, setState] = useState({ connected: false, tick: { conversation: 0, message: 0, notification: 0, ticket: 0 }, last: null });
  useEffect(() => {
    const es = new EventSource('/desk/api/events');
    const bump = (kind) => (e) => {
      let data = null;
      try {
        data = JSON.parse(e.data);
      } catch {
        data = null;
      }
      setState((s) => ({ ...s, connected: true, tick: { ...s.tick, [kind]: s.tick[kind] + 1 }, last: { kind, data } }));
    };
    for (const k of ['conversation', 'message', 'notification', 'ticket']) es.addEventListener(k, bump(k));
    es.onopen = () => setState((s) => ({ ...s, connected: true }));
    es.onerror = () => setState((s) => ({ ...s, connected: false }));
    return () => es.close();
  }, []);
  return state;
}

/**
 * Re-runs `load` on mount, when `deps` change, and when the live counters listed move — at most once
 * per `everyMs` (a busy shop's events must not turn into a request each: the API is rate-limited per
 * client address).
 */
export function useLiveLoad(load, deps, ticks, everyMs = 1500) {
  const timer = useRef(null);
  const first = useRef(true);
  const last = useRef(0);
  const latest = useRef(load);
  latest.current = load;
  const run = () => {
    last.current = Date.now();
    latest.current();
  };
  useEffect(() => {
    run();
  }, deps);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (timer.current) return; // one reload is already scheduled
    const wait = Math.max(250, last.current + everyMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      run();
    }, wait);
  }, ticks);
  useEffect(() => () => clearTimeout(timer.current), []);
}

function beep() {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.08, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.3);
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.3);
  } catch {
    /* no audio */
  }
}

export function NotificationBell({ live }) {
  const [data, setData] = useState({ unread: 0, notifications: [] });
  const [open, setOpen] = useState(false);
  const [sound, setSound] = useState(() => localStorage.getItem('sora-desk-sound') === 'on');
  const prev = useRef(null);
  const load = () =>
    api('/notifications')
      .then((d) => {
        if (prev.current !== null && d.unread > prev.current && sound) beep();
        prev.current = d.unread;
        setData(d);
      })
      .catch(() => null);
  useLiveLoad(load, [], [live.tick.notification]);
  const markAll = async () => {
    await api('/notifications/read', { method: 'POST', body: { all: true } }).catch(() => null);
    load();
  };
  const toggleSound = () => {
    localStorage.setItem('sora-desk-sound', sound ? 'off' : 'on');
    setSound(!sound);
  };
  const openItem = (n) => {
    setOpen(false);
    if (n.ticketId) go('#/tickets/' + encodeURIComponent(n.ticketId));
    else if (n.conversationId) go('#/inbox/all/' + encodeURIComponent(n.conversationId));
  };
  return html`<div class="bell-wrap">
    <button class="bell" aria-label=${`Notifications (${data.unread} unread)`} onClick=${() => setOpen(!open)}>
      ${BellIcon({ size: 18 })}${data.unread > 0 && html`<span class="badge" data-testid="unread">${data.unread > 99 ? '99+' : data.unread}</span>`}
    </button>
    ${open &&
    html`<div class="dropdown notifications">
      <div class="dropdown-head">
        <strong>Notifications</strong>
        <span>
          <label class="small"><input type="checkbox" checked=${sound} onChange=${toggleSound} /> sound</label>
          <button class="link" onClick=${markAll}>Mark all read</button>
        </span>
      </div>
      ${data.notifications.length === 0 && html`<p class="empty">Nothing yet.</p>`}
      <ul>
        ${data.notifications.map(
          (n) => html`<li class=${n.read ? 'read' : 'unread'} key=${n.id} onClick=${() => openItem(n)}>
            <span class="kind">${n.kind.replace(/_/g, ' ')}</span>
            <span class="text">${n.text}</span>
            <span class="when">${ago(n.at)} ago</span>
          </li>`,
        )}
      </ul>
    </div>`}
  </div>`;
}
