/*
 * sora-cs chat widget: one tag puts the web chat on any store page.
 *
 *   <script src="https://HOST/webchat/widget.js" data-shop="demo" async></script>
 *
 * Optional attributes:
 *   data-customer-id + data-customer-hash   a logged-in customer, signed by the store's server:
 *                                           HMAC-SHA256(shop identity secret, customer id), hex
 *   data-identity-url                       same-origin URL answering {customerId, customerHash}
 *                                           (e.g. a Shopify app proxy), fetched with the store's cookies
 *   data-lang                               the buyer's language (default: <html lang>, then the browser's);
 *                                           Arabic (and other RTL languages) lay the panel out right to left
 *   data-title, data-color, data-position   header text, accent colour (#rgb/#rrggbb), "left" or "right"
 *
 * window.SoraChat = { open(), close(), identify(customerId, customerHash) } for pages that learn
 * the customer later. Plain JS, no build step, no dependency; everything lives in a Shadow DOM so
 * the store's CSS does not reach the widget and the widget's does not reach the store.
 * Docs: docs/channels/widget-and-shopify.md.
 */
(function () {
  'use strict';
  if (window.SoraChat && window.SoraChat.version) return; // the tag twice on one page
  var script = document.currentScript || document.querySelector('script[src*="/webchat/widget.js"]');
  if (!script) return;
  var HOST = new URL(script.src, location.href).origin;
  var shop = script.getAttribute('data-shop') || 'demo';
  var base = HOST + '/webchat/' + encodeURIComponent(shop);
  var RTL = { ar: 1, he: 1, fa: 1, ur: 1 };
  var TEXT = {
    en: { open: 'Open chat', close: 'Close chat', title: 'Chat with us', placeholder: 'Type a message…', send: 'Send', unread: '{n} unread', reconnecting: 'Reconnecting…', notSent: 'Not sent: ', you: 'You', log: 'Messages', attach: 'Attach a photo or PDF', uploading: 'Uploading…' },
    ar: { open: 'افتح المحادثة', close: 'أغلق المحادثة', title: 'تحدث معنا', placeholder: 'اكتب رسالة…', send: 'إرسال', unread: '{n} غير مقروءة', reconnecting: 'جارٍ إعادة الاتصال…', notSent: 'لم تُرسل: ', you: 'أنت', log: 'الرسائل', attach: 'إرفاق صورة أو PDF', uploading: 'جارٍ الرفع…' },
    es: { open: 'Abrir chat', close: 'Cerrar chat', title: 'Chatea con nosotros', placeholder: 'Escribe un mensaje…', send: 'Enviar', unread: '{n} sin leer', reconnecting: 'Reconectando…', notSent: 'No enviado: ', you: 'Tú', log: 'Mensajes', attach: 'Adjuntar una foto o PDF', uploading: 'Subiendo…' },
    fr: { open: 'Ouvrir le chat', close: 'Fermer le chat', title: 'Discutons', placeholder: 'Écrivez un message…', send: 'Envoyer', unread: '{n} non lus', reconnecting: 'Reconnexion…', notSent: 'Non envoyé : ', you: 'Vous', log: 'Messages', attach: 'Joindre une photo ou un PDF', uploading: 'Envoi du fichier…' },
    th: { open: 'เปิดแชท', close: 'ปิดแชท', title: 'แชทกับเรา', placeholder: 'พิมพ์ข้อความ…', send: 'ส่ง', unread: 'ยังไม่อ่าน {n}', reconnecting: 'กำลังเชื่อมต่อใหม่…', notSent: 'ส่งไม่สำเร็จ: ', you: 'คุณ', log: 'ข้อความ', attach: 'แนบรูปภาพหรือ PDF', uploading: 'กำลังอัปโหลด…' },
  };
  function langOf(tag) { return String(tag || '').toLowerCase().split(/[-_]/)[0]; }
  var lang = langOf(script.getAttribute('data-lang') || document.documentElement.lang || navigator.language || 'en');
  function t(key, n) {
    var s = (TEXT[lang] || TEXT.en)[key] || TEXT.en[key];
    return n === undefined ? s : s.replace('{n}', String(n));
  }
  var color = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(script.getAttribute('data-color') || '') ? script.getAttribute('data-color') : '#2563eb';
  var pos = script.getAttribute('data-position');
  var side = pos === 'left' || pos === 'right' ? pos : RTL[lang] ? 'left' : 'right'; // RTL pages: bottom left

  // --- DOM (in a shadow root) -----------------------------------------------------------------
  var host = document.createElement('div');
  host.setAttribute('data-sora-chat', shop);
  var root = host.attachShadow({ mode: 'open' });
  var CSS =
    ':host{all:initial}' +
    '*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif}' +
    '.wrap{position:fixed;bottom:20px;' + side + ':20px;z-index:2147483000;color:#111827;font-size:15px;line-height:1.4}' +
    '.bubble{width:60px;height:60px;border-radius:50%;border:0;background:' + color + ';color:#fff;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;position:relative}' +
    '.bubble:focus-visible,button:focus-visible,textarea:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}' +
    '.bubble svg{width:28px;height:28px;fill:currentColor}' +
    '.badge{position:absolute;top:-4px;' + (side === 'right' ? 'left' : 'right') + ':-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#dc2626;color:#fff;font-size:12px;font-weight:700;display:flex;align-items:center;justify-content:center;border:2px solid #fff}' +
    '.badge[hidden]{display:none}' +
    '.panel{position:absolute;bottom:76px;' + side + ':0;width:min(370px,calc(100vw - 40px));height:min(560px,calc(100vh - 120px));background:#fff;border-radius:16px;box-shadow:0 12px 40px rgba(0,0,0,.28);display:flex;flex-direction:column;overflow:hidden}' +
    '.panel[hidden]{display:none}' +
    'header{background:' + color + ';color:#fff;padding:14px 16px;display:flex;align-items:center;gap:8px}' +
    'header h2{margin:0;font-size:16px;font-weight:600;flex:1}' +
    'header .status{font-size:12px;opacity:.9}' +
    '.x{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:4px 8px;border-radius:8px}' +
    '.log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;background:#f9fafb}' +
    '.msg{max-width:82%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word}' +
    '.buyer{align-self:flex-end;background:' + color + ';color:#fff}' +
    '.bot,.system{align-self:flex-start;background:#e5e7eb}' +
    '.agent{align-self:flex-start;background:#dcfce7}' +
    '.note{align-self:center;color:#6b7280;font-size:12px}' +
    '.qr{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start}' +
    '.qr button{border:1px solid ' + color + ';color:' + color + ';background:#fff;border-radius:16px;padding:6px 12px;font-size:14px;cursor:pointer}' +
    'form{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb;background:#fff}' +
    'textarea{flex:1;resize:none;height:42px;padding:10px;border:1px solid #d1d5db;border-radius:10px;font-size:15px;color:#111827;background:#fff}' +
    '.clip{border:0;background:transparent;color:#4b5563;width:38px;border-radius:10px;cursor:pointer;display:flex;align-items:center;justify-content:center;padding:0}' +
    '.clip svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}' +
    '.clip:disabled{opacity:.5;cursor:default}' +
    '.file{display:none}' +
    '.att{display:block;margin-top:4px}' +
    '.att img{display:block;max-width:200px;max-height:160px;border-radius:8px;background:#fff}' +
    '.att .name{display:inline-block;padding:4px 8px;border-radius:8px;background:rgba(255,255,255,.2);font-size:13px}' +
    '.send{border:0;border-radius:10px;background:' + color + ';color:#fff;padding:0 16px;font-size:15px;cursor:pointer}' +
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}';
  // A constructed style sheet is not an inline <style>: pages with a strict style-src CSP still style the widget.
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    var st = document.createElement('style');
    st.textContent = CSS;
    root.appendChild(st);
  }
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') n.textContent = attrs[k];
      else n.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { n.appendChild(c); });
    return n;
  }
  var wrap = el('div', { class: 'wrap', part: 'wrap' });
  var panel = el('div', { class: 'panel', id: 'sora-panel', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'sora-title', hidden: '' });
  var titleEl = el('h2', { id: 'sora-title', text: script.getAttribute('data-title') || t('title') });
  var statusEl = el('span', { class: 'status', role: 'status' });
  var closeBtn = el('button', { class: 'x', type: 'button', 'aria-label': t('close'), text: '×' });
  var log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': t('log'), tabindex: '0' });
  var input = el('textarea', { rows: '1', 'aria-label': t('placeholder'), placeholder: t('placeholder'), maxlength: '4096' });
  var sendBtn = el('button', { class: 'send', type: 'submit', text: t('send') });
  var ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,application/pdf';
  var fileInput = el('input', { class: 'file', type: 'file', accept: ACCEPT, tabindex: '-1', 'aria-hidden': 'true' });
  var clipBtn = el('button', { class: 'clip', type: 'button', 'aria-label': t('attach'), title: t('attach') });
  clipBtn.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M21.4 11.1l-8.5 8.5a5.5 5.5 0 0 1-7.8-7.8l8.5-8.5a3.7 3.7 0 0 1 5.2 5.2l-8.5 8.5a1.8 1.8 0 0 1-2.6-2.6l7.8-7.8"/></svg>';
  var form = el('form', {}, [clipBtn, fileInput, input, sendBtn]);
  panel.appendChild(el('header', {}, [titleEl, statusEl, closeBtn]));
  panel.appendChild(log);
  panel.appendChild(form);
  var badge = el('span', { class: 'badge', 'aria-hidden': 'true', hidden: '' });
  var bubble = el('button', { class: 'bubble', type: 'button', 'aria-label': t('open'), 'aria-expanded': 'false', 'aria-controls': 'sora-panel', 'aria-haspopup': 'dialog' });
  bubble.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  bubble.appendChild(badge);
  wrap.appendChild(panel);
  wrap.appendChild(bubble);
  root.appendChild(wrap);

  function setLang(l) {
    lang = langOf(l) || 'en';
    wrap.setAttribute('lang', lang);
    wrap.setAttribute('dir', RTL[lang] ? 'rtl' : 'ltr');
    bubble.setAttribute('aria-label', unread ? t('open') + ' (' + t('unread', unread) + ')' : t('open'));
    closeBtn.setAttribute('aria-label', t('close'));
    input.setAttribute('placeholder', t('placeholder'));
    input.setAttribute('aria-label', t('placeholder'));
    sendBtn.textContent = t('send');
    clipBtn.setAttribute('aria-label', t('attach'));
    clipBtn.setAttribute('title', t('attach'));
    log.setAttribute('aria-label', t('log'));
    if (!script.getAttribute('data-title')) titleEl.textContent = t('title');
  }

  // --- open / close, focus trap, unread badge ---------------------------------------------------
  var isOpen = false;
  var unread = 0;
  var lastFocus = null;
  function setUnread(n) {
    unread = n;
    badge.textContent = n > 9 ? '9+' : String(n);
    if (n > 0) badge.removeAttribute('hidden');
    else badge.setAttribute('hidden', '');
    bubble.setAttribute('aria-label', n ? t('open') + ' (' + t('unread', n) + ')' : t('open'));
  }
  function open() {
    if (isOpen) return;
    isOpen = true;
    lastFocus = document.activeElement;
    panel.removeAttribute('hidden');
    bubble.setAttribute('aria-expanded', 'true');
    bubble.setAttribute('aria-label', t('close'));
    setUnread(0);
    bubble.setAttribute('aria-label', t('close'));
    log.scrollTop = log.scrollHeight;
    input.focus();
    start();
  }
  function close() {
    if (!isOpen) return;
    isOpen = false;
    panel.setAttribute('hidden', '');
    bubble.setAttribute('aria-expanded', 'false');
    setUnread(unread);
    bubble.focus();
    void lastFocus;
  }
  bubble.addEventListener('click', function () { isOpen ? close() : open(); });
  closeBtn.addEventListener('click', close);
  function focusables() {
    return Array.prototype.filter.call(panel.querySelectorAll('button,textarea,[tabindex="0"]'), function (n) { return !n.disabled && n.offsetParent !== null; });
  }
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); close(); return; }
    if (e.key !== 'Tab') return;
    var f = focusables();
    if (!f.length) return;
    var first = f[0], last = f[f.length - 1], active = root.activeElement;
    if (e.shiftKey && active === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && active === last) { e.preventDefault(); first.focus(); }
  });

  // --- messages -----------------------------------------------------------------------------------
  var qrBox = null;
  function show(text, cls, language) {
    // dir=auto: Arabic text reads right to left in an English panel and English left to right in an Arabic one.
    var d = el('div', { class: 'msg ' + cls, dir: 'auto' });
    if (language) d.setAttribute('lang', language);
    if (cls === 'buyer') d.appendChild(el('span', { class: 'sr', text: t('you') + ': ' }));
    d.appendChild(document.createTextNode(text));
    log.appendChild(d);
    log.scrollTop = log.scrollHeight;
    return d;
  }
  function quickReplies(list) {
    if (qrBox) { qrBox.remove(); qrBox = null; }
    if (!list || !list.length) return;
    qrBox = el('div', { class: 'qr', role: 'group' });
    list.slice(0, 8).forEach(function (q) {
      var b = el('button', { type: 'button', text: q });
      b.addEventListener('click', function () { say(q); });
      qrBox.appendChild(b);
    });
    log.appendChild(qrBox);
    log.scrollTop = log.scrollHeight;
  }
  function received(m) {
    // The buyer turned out to write a right-to-left language (the reply is in it): lay out RTL.
    // Never back: an answer in a fallback language does not undo the page's or the buyer's choice.
    if (m.language && RTL[langOf(m.language)] && !RTL[lang]) setLang(m.language);
    show(m.text || '', m.author === 'agent' ? 'agent' : m.author === 'system' ? 'system' : 'bot', m.language);
    quickReplies(m.quickReplies);
    if (!isOpen) setUnread(unread + 1);
  }

  // --- session: anonymous (kept in localStorage) or verified (sessionStorage, this tab) -----------
  var identity = null;
  var session = null;
  var anonKey = 'sora-chat:' + shop + ':anonymous';
  var verKey = function (id) { return 'sora-chat:' + shop + ':verified:' + id; };
  function store(kind) { try { return kind === 'verified' ? window.sessionStorage : window.localStorage; } catch (e) { return null; } }
  function load() {
    var s = null;
    try {
      if (identity) {
        s = JSON.parse((store('verified') && store('verified').getItem(verKey(identity.customerId))) || 'null');
        if (s && s.hash !== identity.customerHash) s = null;
      } else s = JSON.parse((store('anonymous') && store('anonymous').getItem(anonKey)) || 'null');
    } catch (e) { s = null; }
    return s && s.token ? s : null;
  }
  function save(s) {
    var st = store(s.kind);
    if (!st) return;
    try { st.setItem(s.kind === 'verified' ? verKey(s.buyerId) : anonKey, JSON.stringify(s)); } catch (e) { /* private mode */ }
  }
  function forget() {
    if (!session) return;
    var st = store(session.kind);
    try { if (st) st.removeItem(session.kind === 'verified' ? verKey(session.buyerId) : anonKey); } catch (e) { /* ignore */ }
    session = null;
  }
  var sleep = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };
  /** Retry-After when the server gives one, else exponential backoff with jitter (1 s … 30 s). */
  function retryDelay(res, attempt) {
    var ra = res && Number(res.headers.get('retry-after'));
    if (ra > 0) return ra * 1000;
    return Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
  }
  var pending = null;
  function ensureSession() {
    if (session) return Promise.resolve(session);
    session = load();
    if (session) return Promise.resolve(session);
    if (!pending) pending = newSession().then(function (s) { pending = null; return s; }, function (e) { pending = null; throw e; });
    return pending;
  }
  async function newSession() {
    for (var attempt = 0; ; attempt++) {
      var res = await fetch(base + '/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(identity ? { customerId: identity.customerId, customerHash: identity.customerHash } : {}),
      }).catch(function () { return null; });
      if (res && res.ok) {
        var j = await res.json();
        session = { token: j.token, buyerId: j.buyerId, kind: j.kind, hash: identity ? identity.customerHash : undefined };
        save(session);
        return session;
      }
      if (res && res.status < 500 && res.status !== 429) {
        var err = await res.json().catch(function () { return {}; });
        if (identity) { // a bad signature must not lock the visitor out: chat anonymously
          console.warn('sora chat: the customer identity was refused (' + (err.message || res.status) + '); chatting anonymously');
          identity = null;
          continue;
        }
        throw new Error(err.message || 'session refused (' + res.status + ')');
      }
      await sleep(retryDelay(res, attempt));
    }
  }
  function auth() { return { authorization: 'Bearer ' + session.token }; }

  // --- the reply stream (SSE over fetch: EventSource cannot send Authorization) -------------------
  var lastId = null;
  var streamGen = 0;
  var started = false;
  function start() {
    if (started) return;
    started = true;
    stream();
  }
  /** An ObjectId-shaped cursor for a time: the stream resumes after it (the server's ids start with their time). */
  function cursorAt(ms) {
    return ('00000000' + Math.floor(ms / 1000).toString(16)).slice(-8) + '0000000000000000';
  }
  async function stream() {
    var gen = ++streamGen;
    // Before the first reply, resume from when the widget started listening (30 s of slack for clocks):
    // a reply written while the stream was down is then still delivered on reconnect.
    if (!lastId) lastId = cursorAt(Date.now() - 30000);
    for (var attempt = 0; gen === streamGen; ) {
      var res = null;
      try {
        await ensureSession();
        res = await fetch(base + '/events' + (lastId ? '?after=' + encodeURIComponent(lastId) : ''), { headers: auth(), cache: 'no-store' });
        if (res.status === 401) { forget(); continue; }
        if (res.ok && res.body) {
          attempt = 0;
          statusEl.textContent = '';
          var reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          var buf = '';
          for (;;) {
            var r = await reader.read();
            if (r.done || gen !== streamGen) break;
            buf += r.value;
            var i;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              var block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              var id = null, data = '', event = 'message';
              block.split('\n').forEach(function (line) {
                if (line.indexOf('id:') === 0) id = line.slice(3).trim();
                else if (line.indexOf('event:') === 0) event = line.slice(6).trim();
                else if (line.indexOf('data:') === 0) data += line.slice(5).replace(/^ /, '');
              });
              if (event === 'message' && data) {
                if (id) lastId = id;
                try { received(JSON.parse(data)); } catch (e) { /* a malformed event is skipped */ }
              }
            }
          }
          reader.cancel().catch(function () {});
        }
      } catch (e) { /* network: retry below */ }
      if (gen !== streamGen) return;
      statusEl.textContent = t('reconnecting');
      await sleep(retryDelay(res, attempt++));
    }
  }

  // --- sending (same messageId on every retry: the server deduplicates) ---------------------------
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'm-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
  }
  async function post(body) {
    for (var attempt = 0; attempt < 8; attempt++) {
      var res = null;
      try {
        await ensureSession();
        res = await fetch(base + '/messages', { method: 'POST', headers: Object.assign({ 'content-type': 'application/json' }, auth()), body: JSON.stringify(body) });
      } catch (e) { res = null; }
      if (res && res.ok) return true;
      if (res && res.status === 401) { forget(); streamGen++; started = false; start(); continue; }
      if (res && res.status !== 503 && res.status !== 429) {
        var j = await res.json().catch(function () { return {}; });
        show(t('notSent') + (j.message || res.status), 'note');
        return false;
      }
      await sleep(retryDelay(res, attempt));
    }
    show(t('notSent') + 'the service is unavailable, try again in a moment', 'note');
    return false;
  }

  // --- attachments: upload the file (raw body), then send a message naming it ---------------------
  clipBtn.addEventListener('click', function () { fileInput.click(); });
  fileInput.addEventListener('change', function () {
    var file = fileInput.files && fileInput.files[0];
    fileInput.value = '';
    if (file) sendFile(file);
  });
  /** The buyer's bubble: the text, then a thumbnail (images, a data: URL of the local file) or the file name. */
  function showFile(file, text) {
    var d = show(text, 'buyer');
    var box = el('span', { class: 'att' });
    if (/^image\//.test(file.type) && window.FileReader) {
      var img = el('img', { alt: file.name });
      var fr = new FileReader();
      fr.onload = function () { img.src = String(fr.result); log.scrollTop = log.scrollHeight; };
      fr.readAsDataURL(file);
      box.appendChild(img);
    } else box.appendChild(el('span', { class: 'name', text: '📄 ' + file.name }));
    d.appendChild(box);
    return d;
  }
  async function upload(file) {
    for (var attempt = 0; attempt < 4; attempt++) {
      var res = null;
      try {
        await ensureSession();
        res = await fetch(base + '/attachments', { method: 'POST', headers: Object.assign({ 'content-type': file.type || 'application/octet-stream' }, auth()), body: file });
      } catch (e) { res = null; }
      if (res && res.ok) return res.json();
      if (res && res.status === 401) { forget(); continue; }
      if (res && res.status !== 503 && res.status !== 429) {
        var j = await res.json().catch(function () { return {}; });
        throw new Error(j.message || String(res.status));
      }
      await sleep(retryDelay(res, attempt));
    }
    throw new Error('the service is unavailable, try again in a moment');
  }
  async function sendFile(file) {
    var text = input.value.trim();
    input.value = '';
    quickReplies(null);
    var d = showFile(file, text);
    start();
    clipBtn.disabled = true;
    statusEl.textContent = t('uploading');
    try {
      var att = await upload(file);
      statusEl.textContent = '';
      await post({ messageId: uuid(), text: text, attachments: [{ id: att.id }] });
    } catch (e) {
      statusEl.textContent = '';
      d.classList.add('failed');
      show(t('notSent') + e.message, 'note');
    } finally {
      clipBtn.disabled = false;
      input.focus();
    }
  }
  function say(text) {
    text = String(text || '').trim();
    if (!text) return;
    quickReplies(null);
    show(text, 'buyer');
    start();
    post({ messageId: uuid(), text: text });
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var v = input.value;
    input.value = '';
    say(v);
    input.focus();
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit')); }
  });

  function identify(customerId, customerHash) {
    if (typeof customerId !== 'string' || typeof customerHash !== 'string' || !customerId || !customerHash) return;
    if (identity && identity.customerId === customerId && identity.customerHash === customerHash) return;
    identity = { customerId: customerId, customerHash: customerHash };
    session = null;
    lastId = null;
    if (started) { streamGen++; started = false; start(); }
  }

  window.SoraChat = { version: 1, open: open, close: close, identify: identify };
  setLang(lang);
  var cid = script.getAttribute('data-customer-id');
  var chash = script.getAttribute('data-customer-hash');
  if (cid && chash) identify(cid, chash);
  var identityUrl = script.getAttribute('data-identity-url');
  function mount() {
    document.body.appendChild(host);
    // A returning visitor with a session hears replies (and sees the badge) without opening the panel.
    if (load()) start();
  }
  function ready() {
    if (identityUrl && !identity) {
      fetch(identityUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && j.customerId) identify(String(j.customerId), String(j.customerHash || '')); })
        .catch(function () { /* anonymous */ })
        .then(mount);
    } else mount();
  }
  if (document.body) ready();
  else document.addEventListener('DOMContentLoaded', ready);
})();
