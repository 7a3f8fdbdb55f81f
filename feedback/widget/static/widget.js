/*! feedback widget v1. Embed it with this snippet (the stub queues calls made before the script loads):
<script async src="https://feedback.example.com/w/v1/widget.js" data-key="pk_..."></script>
<script>
!function(f){f=window.feedback=window.feedback||{q:[]};["identify","track","show","reset","on"].forEach(function(m){f[m]=f[m]||function(){f.q.push([m].concat([].slice.call(arguments)))}})}();
feedback.identify("contact-42", {email: "ada@example.com", account_id: "acme", plan: "pro"}, userHash);
</script>
Under a Content-Security-Policy without 'unsafe-inline', put the stub in a file of your own. */
((w, d) => {
  "use strict";
  let fb, KEY, API, token = null, tokenP = null, off = 0, dead = 0, fails = 0, warned = 0, queue = [], flushing = 0,
    flushT = 0, pollT = 0, lastView = 0, cur = null, sheet;
  const L = "localStorage", SS = "sessionStorage", hs = {}, noop = () => {},
    API_NAMES = ["identify", "track", "show", "reset", "on"];

  const warn = (m) => {
    if (!warned) { warned = 1; try { console.warn("[feedback] " + (m && m.message || m)); } catch (e) { /* none */ } }
  };
  const safe = (f) => (...a) => { try { return f(...a); } catch (e) { warn(e); } };
  const get = (s, k) => { try { return JSON.parse(w[s].getItem(`fb_${k}_${KEY}`)); } catch (e) { return null; } };
  const put = (s, k, v) => {
    try { v == null ? w[s].removeItem(`fb_${k}_${KEY}`) : w[s].setItem(`fb_${k}_${KEY}`, JSON.stringify(v)); } catch (e) { /* private mode */ }
  };
  const hash = (s) => { let h = 5381; for (let i = 0; i < s.length; i++) h = (h * 33 ^ s.charCodeAt(i)) >>> 0; return h; };
  const uuid = () => crypto.randomUUID ? crypto.randomUUID() :  // secure contexts; elsewhere a v4 uuid by hand
    "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) => (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16));
  const emit = (n, detail) => (hs[n] || []).slice().forEach((f) => { try { f(detail); } catch (e) { warn(e); } });

  /* One POST to the service. Rejects with {status} (0: no answer, -1: not sent). A network failure or a 429
     pauses every request for a while: a service that is down costs the page one failed request, not a stream. */
  const pause = (ms) => { dead = Date.now() + Math.min(ms * 2 ** fails++, 6e5); };
  const post = (path, body, keep) => {
    if (off || Date.now() < dead) return Promise.reject({ status: -1 });
    body.key = KEY;
    const ctl = w.AbortController && new AbortController(), data = JSON.stringify(body),
      t = ctl && setTimeout(() => ctl.abort(), 10000);
    return Promise.resolve().then(() => fetch(API + path, {
      method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" }, body: data, credentials: "omit",
      mode: "cors", keepalive: !!keep && data.length < 60000, signal: ctl && ctl.signal,
    })).then((r) => {
      clearTimeout(t);
      return r.json().catch(noop).then((j) => {
        j = j || {};
        if (r.ok) { fails = 0; return j; }
        if (r.status == 429) pause(2e3);
        else {
          if (r.status == 401 || r.status == 403 && j.error != "anonymous_not_allowed") off = 1;  // key or origin refused
          if (j.field == "token") { put(L, "t"); put(L, "v"); token = tokenP = null; }
          warn(`${path}: ${j.message || r.status}`);
        }
        throw { status: r.status, body: j };
      });
    }, () => {
      clearTimeout(t);
      pause(3e4);
      warn("the feedback service did not answer; trying again later");
      throw { status: 0 };
    });
  };

  /* --- the API --- */
  function identify(id, traits, userHash) {
    if (id == null || id === "") return warn("identify() needs the person's id");
    id = String(id);
    traits = traits && typeof traits == "object" ? traits : {};
    const sig = hash(JSON.stringify([id, traits, userHash || null])), me = get(L, "t");
    if (me && me.s === sig && Date.now() - me.at < 864e5) {  // the same person and traits today: no request
      token = me.t; tokenP = Promise.resolve(token);
    } else {
      tokenP = post("identify", { external_id: id, traits, user_hash: userHash || undefined }).then((j) => {
        token = j.token || null;
        put(L, "t", token && { t: token, s: sig, at: Date.now() });
        return token;
      }, () => null);
    }
    pollSoon(); flush();
  }

  function track(name, props) {
    if (typeof name != "string" || !name) return warn("track() needs an event name");
    queue.push({ name, properties: props && typeof props == "object" ? props : {},
      occurred_at: new Date().toISOString(), id: uuid() });
    if (queue.length > 1000) queue.splice(0, queue.length - 1000);
    if (queue.length >= 100) flush(); else if (!flushT) flushT = setTimeout(flush, 1000);
  }

  /* Sends the queued events, 100 at a time, one request in flight; waits for identify(). */
  function flush() {
    clearTimeout(flushT); flushT = 0;
    if (flushing || !queue.length || !tokenP) return;
    const wait = dead - Date.now();
    if (wait > 0) { flushT = setTimeout(flush, wait); return; }
    flushing = 1;
    const batch = queue.splice(0, 100);
    tokenP.then((t) => {
      if (!t) throw { status: -2 };
      return post("track", { token: t, events: batch });
    }).then((j) => { flushing = 0; present(j.due); }, (e) => {
      flushing = 0;
      if (off) queue = [];
      else if (e.status < 1 && e.status > -2 || e.status == 429) queue = batch.concat(queue);  // try again later
    }).then(() => {
      if (queue.length && !flushT) flushT = setTimeout(flush, Math.max(dead - Date.now(), 0));
    }).catch(noop);
  }

  function pollSoon() { clearTimeout(pollT); pollT = setTimeout(safe(poll), 300); }
  function poll() {
    if (!tokenP || cur) return;
    tokenP.then((t) => t && post("poll", { token: t })).then((j) => j && present(j.due)).catch(noop);
  }
  function view() { if (Date.now() - lastView > 2000) { lastView = Date.now(); pollSoon(); } }

  function show(surveyId) {
    if (cur) return;
    const v = get(L, "v");
    (tokenP || (v ? Promise.resolve(v) : post("visitor", {}).then((j) => { put(L, "v", j.token); return j.token; })))
      .then((t) => t && post("show", { token: t, survey_id: surveyId }).then((j) => present(j.due, t))).catch(noop);
  }

  function reset() {
    put(L, "t"); put(L, "v"); put(SS, "s");
    token = tokenP = null; queue = [];
    if (cur) cur.close();
  }

  function on(n, f) {
    if (typeof f == "function") (hs[n] = hs[n] || []).push(f);
    return () => { hs[n] = (hs[n] || []).filter((g) => g !== f); };
  }

  /* A due survey is shown once per session, never while another is visible, only in a visible tab. */
  function present(due, manualToken) {
    if (!due || !due.survey || cur) return;
    if (d.hidden) {
      const again = safe(() => { d.removeEventListener("visibilitychange", again); present(due, manualToken); });
      return d.addEventListener("visibilitychange", again);
    }
    const inv = due.invitation, seen = get(SS, "s") || [], t = manualToken || token;
    if (inv != null && !manualToken) {
      if (seen.includes(inv)) return;
      seen.push(inv); put(SS, "s", seen);
    }
    cur = card(due, t);
    if (inv != null) post("shown", { token: t, invitation: inv }).catch(noop);
    emit("shown", { survey: due.survey.id, invitation: inv });
  }

  /* --- the card: built only when a survey is shown, in a shadow root the page's CSS cannot reach --- */
  /* :host rules are !important: they then win over any page rule that reaches the host element, even an !important one. */
  const CSS = `:host{all:initial!important;display:block!important;position:fixed!important;z-index:2147483647!important;
inset:auto 20px 20px auto!important;width:400px!important;max-width:calc(100vw - 24px)!important;
font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif!important;color:#0f172a!important}
:host([data-p=bottom-left]){inset:auto auto 20px 20px!important}
:host([data-p=center]){inset:0!important;width:auto!important;max-width:none!important;display:flex!important;
align-items:center!important;justify-content:center!important;background:rgba(15,23,42,.5)!important}
@media (max-width:480px){:host(:not([data-p=center])){inset:auto 12px 12px!important;width:auto!important}}
*{box-sizing:border-box}[hidden]{display:none!important}
.c{position:relative;width:100%;background:#fff;color:#0f172a;border:1px solid rgba(15,23,42,.08);border-radius:16px;
box-shadow:0 20px 50px -12px rgba(15,23,42,.28),0 4px 12px rgba(15,23,42,.08);padding:20px 20px 18px;
animation:fbin .24s cubic-bezier(.2,.8,.2,1)}.c:focus{outline:0}
:host([data-p=center]) .c{width:480px;max-width:calc(100vw - 32px);padding:28px 28px 24px}
@keyframes fbin{from{opacity:0;transform:translateY(14px) scale(.98)}}
@media (prefers-reduced-motion:reduce){.c{animation:none}*{transition:none!important}}
h2{margin:0 30px 16px 0;font-size:15px;font-weight:600;line-height:1.4;letter-spacing:-.01em}
button,textarea,input{font:inherit;color:inherit;margin:0}button{cursor:pointer}
.x{position:absolute;top:12px;right:12px;width:30px;height:30px;padding:0;border:0;border-radius:8px;background:none;
color:#64748b;display:grid;place-items:center}.x:hover{background:#f1f5f9;color:#0f172a}
svg{width:18px;height:18px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.s{display:grid;grid-template-columns:repeat(var(--n),minmax(0,1fr));gap:4px}
.s button,.o button{border:1px solid #e2e8f0;border-radius:8px;background:#f8fafc;font-weight:600;transition:.12s}
.s button{height:38px;padding:0;font-variant-numeric:tabular-nums}.s button:active{transform:scale(.94)}
.s button:hover,.o button:hover{border-color:var(--b);background:var(--t);color:var(--b)}
.c [aria-pressed=true]{background:var(--b);border-color:var(--b);color:var(--i)}
.l{display:flex;justify-content:space-between;gap:12px;margin-top:8px;font-size:12px;color:#64748b}
.o{display:grid;gap:6px}.o button{text-align:left;padding:10px 12px;font-weight:500}
.k{display:flex;align-items:center;gap:10px;padding:8px 10px;border:1px solid #e2e8f0;border-radius:8px;cursor:pointer}
.k input{accent-color:var(--b);width:16px;height:16px}.k:hover,.k:has(:checked){border-color:var(--b)}.k:has(:checked){background:var(--t)}
textarea,.ot{display:block;width:100%;padding:10px 12px;border:1px solid #cbd5e1;border-radius:10px;background:#fff;line-height:1.45}
textarea{min-height:92px;resize:vertical}.ot{margin-top:8px}
textarea:focus,.ot:focus{outline:0;border-color:var(--b);box-shadow:0 0 0 3px var(--t)}
.a{display:flex;justify-content:flex-end;margin-top:12px}
.pr{background:var(--b);color:var(--i);border:0;border-radius:9px;padding:9px 18px;font-weight:600}.pr:hover{filter:brightness(1.1)}
.n{margin:-10px 0 12px;font-size:12px;color:#64748b}.e{margin:10px 0 0;font-size:13px;color:#dc2626}
.ok{text-align:center;padding:6px 8px 4px}.ok h2{margin:0 0 4px;outline:0}.ok p{margin:0;color:#475569}
.ic{width:46px;height:46px;margin:0 auto 12px;border-radius:50%;display:grid;place-items:center;background:var(--t);color:var(--b)}
.ic svg{width:24px;height:24px;stroke-width:2.5}:focus-visible{outline:2px solid var(--b);outline-offset:2px}
@media (prefers-color-scheme:dark){.c{background:#18181b;color:#f4f4f5;border-color:#3f3f46;box-shadow:0 20px 50px -12px #000b}
.s button,.o button,.k{background:#27272a;border-color:#3f3f46}.x,.l,.n{color:#a1a1aa}.x:hover{background:#27272a;color:#fff}
.s button:hover,.o button:hover{background:var(--b);color:var(--i)}textarea,.ot{background:#09090b;border-color:#3f3f46}
.ok p{color:#d4d4d8}.e{color:#f87171}}`;
  const DEF = { next: "Next", submit: "Send", close: "Close", optional: "Optional", required: "Please answer this question.",
    other: "Other" }, SCALE = { nps: [0, 10], csat: [1, 5], ces: [1, 7] };

  /* An element with a class, a text (always as text), attributes and children. */
  const el = (tag, cls, text, attrs = {}, ...kids) => {
    const e = d.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    for (const k in attrs) if (attrs[k] != null) e.setAttribute(k, attrs[k]);
    e.append(...kids);
    return e;
  };
  const icon = (path) => {
    const s = d.createElementNS("http://www.w3.org/2000/svg", "svg"), p = d.createElementNS(s.namespaceURI, "path");
    s.setAttribute("viewBox", "0 0 24 24"); s.setAttribute("aria-hidden", "true");
    p.setAttribute("d", path); s.append(p);
    return s;
  };
  const styles = (root) => {
    try {  // a constructed sheet: no <style> for a strict style-src to refuse
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sheet];
    } catch (e) { root.append(el("style", "", CSS)); }
  };
  const ink = (hex) => {
    const n = parseInt(hex.slice(1), 16);
    return ((n >> 16) * 299 + (n >> 8 & 255) * 587 + (n & 255) * 114) / 1000 > 165 ? "#111827" : "#fff";
  };
  const visible = (q, a) => {
    const r = q.show_if;
    if (!r) return true;
    let v = a[r.question];
    if (Array.isArray(v)) v = v[0];
    return v != null && r.in.includes(v);
  };

  function card(due, t) {
    const s = due.survey, qs = s.questions || [], ap = s.appearance || {}, place = ap.placement || "bottom-right",
      color = /^#[0-9a-f]{6}$/i.test(ap.brand_color) ? ap.brand_color : "#4f46e5", tx = {},
      host = el("feedback-survey", "", null, { "data-p": place }), root = host.attachShadow({ mode: "open" }),
      body = el("div"), x = el("button", "x", null, { type: "button" }, icon("M6 6l12 12M18 6L6 18")),
      box = el("section", "c", null, { role: "dialog", "aria-modal": place == "center", "aria-labelledby": "p",
        tabindex: -1 }, body, x),
      prev = d.activeElement, c = { a: {}, skip: {} }, info = { survey: s.id, invitation: due.invitation };
    let timer;
    for (const k in DEF) tx[k] = (s.texts || {})[k] || DEF[k];
    styles(root);
    [["b", color], ["i", ink(color)], ["t", color + "1f"]]
      .forEach(([k, v]) => box.style.setProperty("--" + k, v));  // CSSOM, which a CSP allows
    x.setAttribute("aria-label", tx.close);
    x.onclick = safe(() => close(!c.sent));
    ["keydown", "keyup", "keypress"].forEach((n) => box.addEventListener(n, (e) => e.stopPropagation()));  // no host shortcuts
    box.addEventListener("keydown", safe(keys));
    root.append(box);
    d.body.append(host);
    try { host.setAttribute("popover", "manual"); host.showPopover(); } catch (e) { /* no top layer: the z-index it is */ }

    function close(dismissed) {
      clearTimeout(timer);
      if (c.gone) return;
      c.gone = 1;
      const back = root.activeElement && prev && prev.focus;
      host.remove();
      if (cur === c) cur = null;
      if (back) try { prev.focus({ preventScroll: true }); } catch (e) { /* gone */ }
      if (dismissed) {
        if (due.invitation != null) post("dismiss", { token: t, invitation: due.invitation }, 1).catch(noop);
        emit("dismissed", info);
      } else if (c.partial && !c.done) {
        send(null, false, noop);  // closed after a score: what they gave is the whole answer (refused if more is required)
      }
    }
    c.close = () => close(0);

    function keys(e) {
      if (e.key == "Escape") { e.preventDefault(); return close(!c.sent); }
      if (e.key != "Tab") return;
      const f = [...box.querySelectorAll("button,textarea,input")].filter((n) => n.tabIndex >= 0),
        i = f.indexOf(root.activeElement);
      if (e.shiftKey ? i <= 0 : i == f.length - 1) { e.preventDefault(); f[e.shiftKey ? f.length - 1 : 0].focus(); }
    }
    function focus(n) {
      const a = d.activeElement, typing = a && a != host && (/^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) || a.isContentEditable);
      if (n && !typing) n.focus({ preventScroll: true });  // never take the keyboard from someone typing in the page
    }

    const later = (q) => qs.slice(qs.indexOf(q) + 1).find((n) => !c.skip[n.id] && c.a[n.id] == null && visible(n, c.a));
    function send(q, partial, done) {
      c.busy = 1;
      post("answer", { token: t, survey_id: s.id, invitation: due.invitation, response_key: due.response_key,
        answers: c.a, partial }).then((j) => {
        c.busy = 0; c.sent = 1; c.partial = partial && !j.complete;
        if (q) emit("answered", { ...info, question: q.id, value: c.a[q.id], complete: !!j.complete });
        done(j);
      }, (e) => {
        c.busy = 0;
        done(null, e.body && e.body.message || "Something went wrong. Please try again.");
      }).catch(noop);
    }
    const end = () => c.partial ? send(null, false, finish) : finish();
    /* Save this question's answer at once; go on to the question the service names next, or thank them. */
    function answer(q, value, err) {
      if (c.busy) return;
      if (value == null || value === "" || value.length === 0) {
        if (q.required) { err.textContent = tx.required; err.hidden = false; return; }
        delete c.a[q.id]; c.skip[q.id] = 1;
        const n = later(q);
        return n ? step(n) : c.sent ? end() : close(1);
      }
      c.a[q.id] = value;
      send(q, !!later(q), (j, msg) => {
        if (!j) { err.textContent = msg; err.hidden = false; return; }
        const n = j.next === null ? null : qs.find((o) => o.id == j.next && !c.skip[o.id]) || later(q);
        n ? step(n) : end();
      });
    }

    function step(q, first) {
      const h = el("h2", "", null, { id: "p" }), err = el("p", "e", null, { role: "alert", hidden: "" });
      let start, ctl;
      body.textContent = "";
      if (q.type == "text") h.append(el("label", "", q.prompt, { for: "a" })); else h.textContent = q.prompt;
      body.append(h);
      if (q.description) body.append(el("p", "n", q.description));
      if (!q.required) body.append(el("p", "n", tx.optional));
      if (SCALE[q.type] || q.type == "rating") start = scale(q, err);
      else if (q.type == "single_choice") start = choices(q, err);
      else ctl = q.type == "text" ? text(q) : other(q, boxes(q));
      if (q.type == "single_choice" && q.allow_other) ctl = other(q, []);
      if (ctl) {
        const more = later(q) || qs.slice(qs.indexOf(q) + 1).some((n) => n.show_if && n.show_if.question == q.id),
          b = el("button", "pr", more ? tx.next : tx.submit, { type: "button" });
        b.onclick = safe(() => answer(q, ctl[1](), err));
        ctl[0].onkeydown = (e) => { if (e.key == "Enter" && e.target.type == "text") b.click(); };
        body.append(el("div", "a", null, {}, b));
      }
      body.append(err);
      if (!first) focus(start || ctl[0]);
    }
    /* Score buttons: one tab stop, arrows move, Enter or Space (or a click) answers. */
    function scale(q, err) {
      const lab = q.labels || {}, lo = q.min != null ? q.min : (SCALE[q.type] || [1])[0],
        hi = q.max != null ? q.max : (SCALE[q.type] || [0, 5])[1], all = [],
        g = el("div", "s", null, { role: "group", "aria-labelledby": "p" });
      g.style.setProperty("--n", hi - lo + 1);
      for (let v = lo; v <= hi; v++) {
        const b = el("button", "", String(v), { type: "button", tabindex: v == lo ? 0 : -1, "aria-pressed": "false",
          "aria-label": v == lo && lab.min ? `${v}, ${lab.min}` : v == hi && lab.max ? `${v}, ${lab.max}` : null });
        b.onclick = safe(() => pick(all, b, q, v, err));
        all.push(b);
      }
      g.append(...all);
      g.addEventListener("keydown", safe((e) => {
        let i = all.indexOf(root.activeElement),
          m = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -i, End: all.length - 1 - i }[e.key];
        if (m == null || i < 0) return;
        e.preventDefault();
        i = Math.max(0, Math.min(all.length - 1, i + m));
        all.forEach((o, j) => { o.tabIndex = j == i ? 0 : -1; });
        all[i].focus();
      }));
      body.append(g);
      if (lab.min || lab.max) body.append(el("div", "l", null, { "aria-hidden": "true" }, el("span", "", lab.min), el("span", "", lab.max)));
      return all[0];
    }
    function pick(all, b, q, v, err) {
      if (c.busy) return;
      all.forEach((o) => o.setAttribute("aria-pressed", o == b));
      answer(q, v, err);
    }
    const opts = (q) => (q.options || []).map((o) => o && typeof o == "object" ? o : { value: o, label: o });
    function choices(q, err) {
      const all = opts(q).map((o) => el("button", "", o.label, { type: "button", "aria-pressed": "false" }));
      opts(q).forEach((o, i) => { all[i].onclick = safe(() => pick(all, all[i], q, o.value, err)); });
      body.append(el("div", "o", null, { role: "group", "aria-labelledby": "p" }, ...all));
      return all[0];
    }
    function boxes(q) {
      const all = opts(q).map((o) => el("input", "", null, { type: "checkbox", value: o.value }));
      body.append(el("div", "o", null, { role: "group", "aria-labelledby": "p" },
        ...opts(q).map((o, i) => el("label", "k", null, {}, all[i], el("span", "", o.label)))));
      return all;
    }
    /* The "Other" box of a choice question that allows one: the answer is the ticked options and / or its text. */
    function other(q, ticked) {
      const o = q.allow_other && el("input", "ot", null, { type: "text", "aria-label": tx.other, placeholder: tx.other, maxlength: 500 });
      if (o) body.append(o);
      return [o || ticked[0], () => {
        const v = o ? o.value.trim() : "";
        return q.type == "single_choice" ? v : ticked.filter((b) => b.checked).map((b) => b.value).concat(v ? [v] : []);
      }];
    }
    function text(q) {
      const a = el("textarea", "", null, { id: "a", rows: 3, maxlength: q.max_length, placeholder: q.placeholder });
      a.value = c.a[q.id] || "";
      body.append(a);
      return [a, () => a.value.trim()];
    }
    function finish() {
      const ty = s.thank_you || {}, h = el("h2", "", ty.title || "Thank you!", { id: "p", tabindex: -1 });
      c.done = 1;
      body.textContent = "";
      body.append(el("div", "ok", null, { role: "status" }, el("div", "ic", null, {}, icon("M5 12.5l4.5 4.5L19 7.5")), h,
        ty.message ? el("p", "", ty.message) : ""));
      if (root.activeElement) h.focus();
      timer = setTimeout(safe(() => close(0)), 4000);
    }

    const q0 = qs.find((q) => visible(q, {}));
    if (q0) step(q0, 1); else finish();
    focus(box);  // the dialog itself, named by its question; Tab goes on to the answers
    return c;
  }

  /* --- boot: read the tag now; start once the page has loaded, so the widget never delays its load event --- */
  const call = (c) => { if (c && API_NAMES.includes(c[0])) fb[c[0]](...[].slice.call(c, 1)); };
  function start() {
    const calls = fb.q, saved = get(L, "t"), H = w.history, push = H.pushState, api = { identify, track, show, reset, on };
    API_NAMES.forEach((n) => { fb[n] = safe(api[n]); });
    fb.q = { push: safe((...c) => c.forEach(call)) };  // feedback.q.push([...]) keeps working after the start
    if (saved) { token = saved.t; tokenP = Promise.resolve(token); }
    [].forEach.call(calls || [], call);
    view();
    H.pushState = function (...a) { const r = push.apply(this, a); safe(view)(); return r; };  // single-page apps
    w.addEventListener("popstate", safe(view));
    w.addEventListener("pagehide", safe(() => {
      if (token && queue.length) post("track", { token, events: queue.splice(0, 100) }, 1).catch(noop);
    }));
  }
  try {
    fb = w.feedback = w.feedback || { q: [] };
    if (fb.loaded) return;
    const me = d.currentScript || [...d.scripts].find((s) => /\/w\/v1\/widget(\.[\w-]+)?\.js([?#]|$)/.test(s.src));
    KEY = me && me.getAttribute("data-key");
    API = me && me.src.replace(/[?#].*$/, "").replace(/[^/]*$/, "");
    fb.loaded = true;
    if (!KEY) {
      warn("the widget's <script> tag needs data-key=\"pk_...\"");
      API_NAMES.forEach((n) => { fb[n] = n == "on" ? safe(on) : noop; });
    } else {
      fb.q = fb.q || [];
      API_NAMES.forEach((n) => { fb[n] = fb[n] || ((...a) => fb.q.push([n, ...a])); });  // queue until the start
      const go = () => setTimeout(safe(start));
      if (d.readyState == "complete") go(); else w.addEventListener("load", go);
    }
  } catch (e) { warn(e); }
})(window, document);
