// The one-time sign-in link: the token is in the URL fragment (never sent to a server by the
// browser); it is taken out of the address bar at once and posted with the chosen password.
(function () {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (location.hash) history.replaceState(null, '', location.pathname);
  const form = document.getElementById('form');
  const msg = document.getElementById('msg');
  const say = (text, cls) => {
    msg.textContent = text;
    msg.className = cls;
  };
  if (!token) {
    form.hidden = true;
    say('This page needs a sign-in link (ask an admin: sora agents link --id YOU).', 'err');
    return;
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const pw1 = document.getElementById('pw1').value;
    const pw2 = document.getElementById('pw2').value;
    if (pw1 !== pw2) return say('The two passwords differ.', 'err');
    document.getElementById('go').disabled = true;
    try {
      const res = await fetch('/desk/api/sign-in-links/redeem', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ token, password: pw1 }),
      });
      const body = await res.json().catch(() => ({}));
      if (res.status === 201) {
        form.hidden = true;
        say(`Signed in as ${body.agent.name}. Opening the desk…`, 'ok');
        setTimeout(() => location.assign('/desk'), 800);
        return;
      }
      if (res.status === 410) form.hidden = true;
      say(body.message || `Failed (${res.status}).`, 'err');
    } catch (e) {
      say(`The server did not answer: ${e.message}`, 'err');
    }
    document.getElementById('go').disabled = false;
  });
})();
