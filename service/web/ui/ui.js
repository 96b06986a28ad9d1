// The timeline page (/ui): plain JS over the JSON API, no build step.
// Draws GET /timeline with the vendored vis-timeline, shows GET /events/{id} in the side panel
// and GET /articles/{id}/annotations as the article view (#article=<id>). Every piece of data is
// put in the DOM with textContent or as an Element, never as HTML.
"use strict";

(function () {
  const PAGE_SIZE = 500;          // at most: the API refuses pages over TIMELINE_MAX_PAGE_SIZE
  const MAX_PAGES = 40;           // 20,000 events at most on one axis
  const DAY = 86400000;
  const GRAIN_DEPTH = { century: "year", decade: "year", year: "year", half: "month", quarter: "month",
    season: "month", month: "month", week: "day", day: "day", part_of_day: "minute", hour: "minute",
    minute: "minute", second: "second" };

  const $ = (id) => document.getElementById(id);
  const form = $("filters");
  const state = { entries: [], undated: [], asOf: null, zone: "UTC", zones: [], seq: 0, timeline: null,
    items: null, focus: null, sourcesLoaded: false, articleZones: new Map() };

  // ------------------------------------------------------------------ DOM helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  // ------------------------------------------------------------------ API ------------------
  // The page size to ask for: ours, or the server's bound if lower (/health says it once).
  let pageSizeAsked = null;
  function pageSize() {
    pageSizeAsked = pageSizeAsked || api("/health").then(
      (health) => Math.min(PAGE_SIZE, health.max_page_size || PAGE_SIZE), () => PAGE_SIZE);
    return pageSizeAsked;
  }

  async function api(path, params, signal) {
    const url = new URL(path, location.origin);
    for (const [key, value] of Object.entries(params || {})) {
      if (value != null && value !== "") url.searchParams.set(key, value);
    }
    let response;
    try {
      response = await fetch(url, { headers: { accept: "application/json" }, signal });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new Error(`The service did not answer ${url.pathname}: ${err.message}`);
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      // RFC 9457 problem details: `detail` says what to fix.
      const detail = body && (body.detail || body.title);
      throw new Error(`${response.status} ${url.pathname}: ${detail || response.statusText}`);
    }
    return body;
  }

  // ------------------------------------------------------------------ time -----------------
  function safeZone(zone) {
    try { new Intl.DateTimeFormat("en", { timeZone: zone }); return zone; } catch { return "UTC"; }
  }

  const partsFormat = new Map();
  function zoneParts(zone, date) {
    if (!partsFormat.has(zone)) {
      partsFormat.set(zone, new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric",
        month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }));
    }
    const parts = {};
    for (const p of partsFormat.get(zone).formatToParts(date)) parts[p.type] = Number(p.value);
    return parts;
  }

  // Minutes east of UTC that `zone` shows at `date` (DST-aware, from the browser's tz database).
  function offsetMinutes(zone, date) {
    const p = zoneParts(zone, date);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return Math.round((asUtc - (date.getTime() - date.getUTCMilliseconds())) / 60000);
  }

  // Midnight starting `yyyy-mm-dd` on the clock of `zone`, as a Date.
  function zoneMidnight(day, zone, plusDays = 0) {
    const [y, m, d] = day.split("-").map(Number);
    const guess = Date.UTC(y, m - 1, d + plusDays);
    let t = guess - offsetMinutes(zone, new Date(guess)) * 60000;
    t = guess - offsetMinutes(zone, new Date(t)) * 60000;
    return new Date(t);
  }

  function fmt(date, zone, depth) {
    const opts = { timeZone: zone, year: "numeric" };
    if (depth !== "year") opts.month = "long";
    if (depth === "day" || depth === "minute" || depth === "second") { opts.day = "numeric"; opts.weekday = "short"; }
    if (depth === "minute" || depth === "second") { opts.hour = "2-digit"; opts.minute = "2-digit"; opts.hourCycle = "h23"; }
    if (depth === "second") opts.second = "2-digit";
    return new Intl.DateTimeFormat("en-GB", opts).format(date);
  }

  // "February 2022", "Mon 22 May 2023", "1999 – 2009", "before Tue 23 May 2023, 12:00" ...
  function describeInterval(from, until, grain, zone) {
    const depth = GRAIN_DEPTH[grain] || "minute";
    const start = from ? new Date(from) : null;
    const end = until ? new Date(until) : null;
    if (!start && !end) return "undated";
    if (!start) return `before ${fmt(end, zone, "minute")}`;
    if (!end) return `since ${fmt(start, zone, depth)}`;
    const last = new Date(end.getTime() - 1);
    const a = fmt(start, zone, depth);
    const b = fmt(last, zone, depth);
    if (a === b) return a;
    if (depth === "minute" && fmt(start, zone, "day") === fmt(last, zone, "day")) {
      return `${a} – ${fmt(end, zone, "minute").slice(-5)}`;
    }
    return `${a} – ${grain ? b : fmt(end, zone, depth)}`;
  }

  // An event's grain holds on its reporter's clock ("Monday" in Toronto is Toronto's Monday):
  // dates are written on that clock, which is named when it is not the one chosen for the page.
  function when(from, until, grain, zone) {
    const z = safeZone(zone || state.zone);
    const text = describeInterval(from, until, grain, z);
    return z === state.zone ? text : `${text} (${z})`;
  }

  function localClock(iso, zone) {
    return fmt(new Date(iso), zone, "minute");
  }

  // ------------------------------------------------------------------ filters --------------
  function filterParams() {
    const data = new FormData(form);
    const zone = state.zone;
    const params = { q: (data.get("q") || "").trim(), source: data.get("source") };
    if (data.get("from")) params.from = zoneMidnight(data.get("from"), zone).toISOString();
    if (data.get("until")) params.until = zoneMidnight(data.get("until"), zone, 1).toISOString();
    if (data.get("as_of")) {
      const asOf = new Date(data.get("as_of"));   // datetime-local reads on the user's own clock
      if (!Number.isNaN(asOf.getTime())) params.as_of = asOf.toISOString();
    }
    return params;
  }

  async function loadTimeline() {
    const seq = ++state.seq;
    if (state.abort) state.abort.abort();
    state.abort = new AbortController();
    const params = filterParams();
    $("status").textContent = "Loading…";
    document.body.dataset.loaded = "loading";
    try {
      const size = await pageSize();
      let page = await api("/timeline", { ...params, limit: size }, state.abort.signal);
      const entries = page.items.slice();
      const undated = page.undated;
      const asOf = page.as_of;   // later pages and the panel read at the same record time
      let pages = 1;
      while (page.next_offset != null && pages < MAX_PAGES) {
        page = await api("/timeline", { ...params, as_of: asOf, limit: size, offset: page.next_offset },
          state.abort.signal);
        entries.push(...page.items);
        pages += 1;
      }
      if (seq !== state.seq) return;
      showError(page.next_offset != null ? `Only the first ${entries.length} events are drawn.` : "");
      state.entries = entries;
      state.undated = undated;
      state.asOf = asOf;
      chooseClock(entries.concat(undated));
      draw();
      drawUndated();
      await fillSources(entries.concat(undated));
      if (seq !== state.seq) return;
      const conflicts = entries.concat(undated).filter((e) => e.has_conflict).length;
      $("status").textContent = `${entries.length} events on the axis, ${undated.length} undated` +
        (conflicts ? `, ${conflicts} with conflicts` : "") +
        ` · as of ${localClock(asOf, state.zone)} (${state.zone})`;
      document.body.dataset.loaded = "true";
      route();
    } catch (err) {
      if (err.name === "AbortError") return;
      if (seq === state.seq) {
        showError(err.message);
        $("status").textContent = "The timeline could not be loaded.";
        document.body.dataset.loaded = "error";
      }
    }
  }

  // The clock the dates are read in: the zone most events were reported in, unless chosen.
  function chooseClock(entries) {
    const counts = new Map();
    for (const e of entries) counts.set(e.timezone, (counts.get(e.timezone) || 0) + 1);
    const select = form.elements.clock;
    const chosen = select.value;
    const zones = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([z]) => z);
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const options = [...new Set([...zones, "UTC", browser])].filter(Boolean);
    select.replaceChildren(...options.map((z) => el("option", { value: z,
      text: z === browser && !zones.includes(z) ? `${z} (this computer)` : z })));
    select.value = options.includes(chosen) ? chosen : (zones[0] || "UTC");
    state.zone = safeZone(select.value);
  }

  async function fillSources(entries) {
    const select = form.elements.source;
    const known = new Set([...select.options].map((o) => o.value).filter(Boolean));
    for (const e of entries) for (const s of e.sources) known.add(s);
    if (!state.sourcesLoaded) {
      state.sourcesLoaded = true;
      try {
        const listing = await api("/articles", { limit: await pageSize() });
        for (const a of listing.items) { known.add(a.source); state.articleZones.set(a.id, a.timezone); }
      } catch (err) { /* the timeline's own sources are enough to filter by */ }
    }
    const current = select.value;
    const sorted = [...known].sort((a, b) => a.localeCompare(b));
    select.replaceChildren(el("option", { value: "", text: "All sources" }),
      ...sorted.map((s) => el("option", { value: s, text: s })));
    select.value = current;
  }

  // ------------------------------------------------------------------ axis -----------------
  function itemContent(e) {
    const marker = e.has_conflict
      ? el("span", { class: "conflict-mark", title: e.conflicts.join("\n"), text: "⚠ conflict" }) : null;
    const sources = e.sources.length > 1 ? `${e.sources[0]} +${e.sources.length - 1}` : (e.sources[0] || "");
    return el("div", { class: "ev" },
      el("div", { class: "ev-label" }, e.label),
      el("div", { class: "ev-meta" },
        el("span", { class: "ev-count", title: `${e.mention_count} mentions` }, `${e.mention_count}✉`),
        el("span", { class: "ev-sources" }, sources), marker));
  }

  function itemTitle(e) {
    return el("div", { class: "tip" },
      el("strong", { text: e.label }),
      el("div", { text: when(e.valid_from, e.valid_until, e.grain, e.timezone) +
        (e.grain ? ` (${e.grain.replace("_", " ")})` : "") }),
      el("div", { text: `${e.kind} · ${e.mention_count} mention${e.mention_count === 1 ? "" : "s"}` }),
      el("div", { text: `Sources: ${e.sources.join("; ")}` }),
      e.has_conflict ? el("div", { class: "tip-conflict", text: `⚠ ${e.conflicts.join("; ")}` }) : null,
      el("em", { text: e.first_quote }));
  }

  // An open side ("before Tuesday", "since Monday") has no date to draw to: it gets a faded,
  // dashed tail of a quarter of the story's focus (at least a day), not a made-up bound.
  function toItem(e, tail) {
    let start = e.valid_from ? Date.parse(e.valid_from) : null;
    let end = e.valid_until ? Date.parse(e.valid_until) : null;
    const classes = ["event", `kind-${e.kind}`];
    if (start == null) { start = end - tail; classes.push("open-start"); }
    if (end == null) { end = start + tail; classes.push("open-end"); }
    if (e.has_conflict) classes.push("conflict");
    const item = { id: e.id, content: itemContent(e), title: itemTitle(e), start: new Date(start),
      className: classes.join(" ") };
    if (end - start < 60000) item.type = "point";       // an instant: no interval to draw
    else { item.end = new Date(end); item.type = "range"; }
    return item;
  }

  // The smallest window that holds three quarters of the events with both ends known: long
  // background periods (a war since 2022, a campaign in 1999-2009) stay one click away.
  function focusWindow(entries) {
    const spans = entries.filter((e) => e.valid_from && e.valid_until)
      .map((e) => ({ lo: Date.parse(e.valid_from), hi: Date.parse(e.valid_until) }))
      .map((s) => ({ ...s, mid: (s.lo + s.hi) / 2 })).sort((a, b) => a.mid - b.mid);
    if (!spans.length) return null;
    const k = Math.ceil(spans.length * 0.75);
    let best = 0;
    for (let a = 1; a + k - 1 < spans.length; a++) {
      if (spans[a + k - 1].mid - spans[a].mid < spans[best + k - 1].mid - spans[best].mid) best = a;
    }
    const chosen = spans.slice(best, best + k);
    const lo = Math.min(...chosen.map((s) => s.lo));
    const hi = Math.max(...chosen.map((s) => s.hi));
    return { lo, hi, all: chosen.length === spans.length };
  }

  function visMoment(date) {
    const m = vis.moment(date);
    return m.utcOffset(offsetMinutes(state.zone, m.toDate()));
  }

  function draw() {
    const focus = focusWindow(state.entries);
    const tail = focus ? Math.max(DAY, (focus.hi - focus.lo) / 4) : DAY;
    const items = state.entries.map((e) => toItem(e, tail));
    if (!state.timeline) {
      state.items = new vis.DataSet(items);
      state.timeline = new vis.Timeline($("timeline"), state.items, {
        moment: visMoment,
        stack: true,
        orientation: { axis: "top", item: "top" },
        maxHeight: "62vh",
        minHeight: "240px",
        verticalScroll: true,
        zoomKey: "ctrlKey",
        zoomMin: 60000,
        zoomMax: 1000 * DAY * 365,
        margin: { item: { horizontal: 6, vertical: 6 }, axis: 8 },
        showTooltips: true,
        tooltip: { followMouse: true, overflowMethod: "cap", delay: 200 },
        dataAttributes: ["id"],
        selectable: true,
      });
      state.timeline.on("select", (props) => {
        if (props.items.length) location.hash = `event=${encodeURIComponent(props.items[0])}`;
      });
      state.timeline.on("rangechanged", updateOutside);
    } else {
      state.timeline.setOptions({ moment: visMoment });
      state.items.clear();
      state.items.add(items);
    }
    $("timeline").dataset.count = String(items.length);
    if (focus && !focus.all) {
      const pad = Math.max((focus.hi - focus.lo) * 0.08, 3600000);
      state.focus = { start: new Date(focus.lo - tail - pad), end: new Date(focus.hi + tail / 2 + pad) };
    } else state.focus = null;
    showFocus();
  }

  function showFocus() {
    if (!state.timeline) return;
    if (state.focus) state.timeline.setWindow(state.focus.start, state.focus.end, { animation: false });
    else if (state.items.length) state.timeline.fit({ animation: false });
    updateOutside();
  }

  function updateOutside() {
    const hint = $("outside");
    if (!state.timeline || !state.items.length) { hint.textContent = state.items && !state.items.length ? "No dated events match." : ""; return; }
    const win = state.timeline.getWindow();
    const outside = state.items.get().filter((i) => (i.end || i.start) < win.start || i.start > win.end).length;
    hint.textContent = outside ? `${outside} event${outside === 1 ? "" : "s"} outside this view` : "";
  }

  function drawUndated() {
    const list = $("undated");
    list.replaceChildren(...state.undated.map((e) => el("li", { class: e.has_conflict ? "conflict" : null },
      el("a", { href: `#event=${encodeURIComponent(e.id)}`, class: "undated-link", "data-id": e.id }, e.label),
      el("span", { class: "muted" }, ` ${e.mention_count}✉ · ${e.sources.join("; ")}`),
      e.has_conflict ? el("span", { class: "conflict-mark", text: " ⚠ conflict" }) : null)));
    $("undated-count").textContent = `(${state.undated.length})`;
    if (!state.undated.length) list.append(el("li", { class: "muted", text: "None." }));
  }

  // ------------------------------------------------------------------ panel ----------------
  function route() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get("article")) return showArticle(params.get("article"), params.get("at"), params.get("event"));
    if (params.get("event")) return showEvent(params.get("event"));
    showPanel("panel-empty");
  }

  function showPanel(id) {
    for (const name of ["panel-empty", "event-view", "article-view"]) $(name).hidden = name !== id;
  }

  function markTrigger(quote, trigger) {
    // The trigger's first whole-word occurrence in its sentence, marked (text nodes only).
    const escaped = trigger.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = trigger ? new RegExp(`(^|[^\\p{L}\\p{N}])(${escaped})(?![\\p{L}\\p{N}])`, "u").exec(quote) : null;
    if (!match) return [quote];
    const at = match.index + match[1].length;
    return [quote.slice(0, at), el("mark", { class: "trigger", text: trigger }), quote.slice(at + trigger.length)];
  }

  function claimsAndConflicts(detail) {
    const byAttr = new Map();
    const seen = new Set();
    for (const c of detail.claims) {
      const key = [c.attribute, c.value, c.text, c.article_id].join("\u0000");
      if (seen.has(key)) continue;
      seen.add(key);
      if (!byAttr.has(c.attribute)) byAttr.set(c.attribute, []);
      byAttr.get(c.attribute).push(c);
    }
    const claims = el("div", { class: "claims" }, el("h3", { text: "Claims" }));
    if (!byAttr.size) claims.append(el("p", { class: "muted", text: "No countable claims." }));
    for (const [attr, list] of byAttr) {
      // red only where the service found a conflict: different figures may be different counts
      const disputed = detail.conflicts.some((c) => c.startsWith(`${attr}:`));
      claims.append(el("div", { class: disputed ? "claim conflict" : "claim" },
        el("div", { class: "claim-attr", text: attr }),
        el("ul", {}, list.map((c) => el("li", {},
          el("strong", { text: c.value }), ` “${c.text}” — ${c.source}`)))));
    }
    const conflicts = el("div", { class: detail.conflicts.length ? "conflicts has" : "conflicts" },
      el("h3", { text: "Conflicts" }),
      detail.conflicts.length
        ? el("ul", {}, detail.conflicts.map((c) => el("li", {}, el("span", { class: "conflict-mark", text: "⚠ " }), c)))
        : el("p", { class: "muted", text: "None: the sources agree." }));
    return el("div", { class: "side-by-side" }, claims, conflicts);
  }

  async function showEvent(id) {
    const view = $("event-view");
    showPanel("event-view");
    view.replaceChildren(el("p", { class: "muted", text: "Loading event…" }));
    if (state.timeline && state.items.get(id)) {
      state.timeline.setSelection([id]);
      const item = state.items.get(id);
      const view = state.timeline.getWindow();
      // opened from a link or the address bar: bring a bar that is out of view into view
      if ((item.end || item.start) < view.start || item.start > view.end) {
        state.timeline.focus(id, { animation: false });
        updateOutside();
      }
    }
    try {
      const detail = await api(`/events/${encodeURIComponent(id)}`, { as_of: state.asOf });
      const zone = state.zone;
      const entry = state.entries.concat(state.undated).find((e) => e.id === id);
      const articles = new Set(detail.mentions.map((m) => m.article_id));
      view.replaceChildren(
        el("p", { class: "kicker" }, el("span", { class: `kind kind-${detail.kind}`, text: detail.kind }),
          ` ${when(detail.valid_from, detail.valid_until, detail.grain, entry && entry.timezone)}`,
          detail.grain ? el("span", { class: "muted", text: ` · ${detail.grain.replace("_", " ")} grain` }) : null),
        el("h2", { class: detail.has_conflict ? "conflict" : null }, detail.label,
          detail.has_conflict ? el("span", { class: "conflict-mark", text: " ⚠" }) : null),
        el("p", { class: "muted small" },
          `${detail.mentions.length} mention${detail.mentions.length === 1 ? "" : "s"} in ${articles.size} ` +
          `article${articles.size === 1 ? "" : "s"} · ${detail.sources.join("; ")} · axis on the ${zone} clock`),
        claimsAndConflicts(detail),
        el("h3", { text: "Mentions" }),
        el("ol", { class: "mentions" }, detail.mentions.map((m) => el("li", { class: "mention" },
          el("blockquote", { class: "quote" }, markTrigger(m.quote, m.trigger)),
          el("div", { class: "mention-meta" },
            el("span", { class: `kind kind-${m.kind}`, text: m.kind }),
            ` ${m.source}`,
            m.attributed_to ? ` · according to ${m.attributed_to}` : "",
            ` · when: ${when(m.valid_from, m.valid_until, m.grain, state.articleZones.get(m.article_id))}`),
          el("div", { class: "mention-links" },
            el("a", { class: "article-link", href: `#article=${encodeURIComponent(m.article_id)}&at=${m.trigger_start}` +
              `&event=${encodeURIComponent(id)}` }, `Read in article: ${m.title || m.article_id}`),
            el("span", { class: "muted" }, ` · published ${localClock(m.published_at,
              safeZone(state.articleZones.get(m.article_id) || zone))}`),
            m.url && /^https?:\/\//i.test(m.url)
              ? el("a", { href: m.url, rel: "noopener noreferrer", target: "_blank", class: "external" }, " original ↗")
              : null),
          m.reason ? el("div", { class: "reason small muted", text: `Why this time: ${m.reason}` }) : null))));
    } catch (err) {
      view.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  }

  // Python counts characters in code points, JavaScript in UTF-16 units.
  function unitOffsets(text) {
    const units = [0];
    let u = 0;
    for (const ch of text) { u += ch.length; units.push(u); }
    return (cp) => units[Math.min(cp, units.length - 1)];
  }

  function annotatedBody(doc, focusAt) {
    const unit = unitOffsets(doc.body);
    const timexes = doc.time_expressions.map((t) => ({ start: unit(t.start), end: unit(t.end), t }));
    const triggers = doc.mentions.map((m) => ({ start: unit(m.trigger_start), end: unit(m.trigger_end), m }));
    const cuts = new Set([0, doc.body.length]);
    for (const s of timexes.concat(triggers)) { cuts.add(s.start); cuts.add(s.end); }
    const points = [...cuts].sort((a, b) => a - b);
    const out = [];
    let focusNode = null;
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      if (a === b) continue;
      const text = doc.body.slice(a, b);
      const tx = timexes.find((s) => s.start <= a && b <= s.end);
      const tr = triggers.find((s) => s.start <= a && b <= s.end);
      let node = document.createTextNode(text);
      if (tr) {
        const m = tr.m;
        const focused = focusAt != null && m.trigger_start === Number(focusAt);
        node = el("span", { class: `trigger kind-${m.kind}${focused ? " focus" : ""}`,
          title: `${m.kind}: “${m.trigger}” ${m.time_link || "at"} ` +
            when(m.valid_from, m.valid_until, m.grain, doc.timezone) }, node);
        if (focused && !focusNode) focusNode = node;
      }
      if (tx) {
        const t = tx.t;
        node = el("mark", { class: "timex", "data-value": t.value,
          title: `${t.value} (${t.type}, ${t.grain || "no"} grain): ` +
            `${when(t.valid_from, t.valid_until, t.grain, doc.timezone)}` +
            (t.reason ? `\n${t.reason}` : "") }, node);
      }
      out.push(node);
    }
    return { nodes: out, focusNode };
  }

  async function showArticle(id, at, eventId) {
    const view = $("article-view");
    showPanel("article-view");
    view.replaceChildren(el("p", { class: "muted", text: "Loading article…" }));
    try {
      const doc = await api(`/articles/${encodeURIComponent(id)}/annotations`, { as_of: state.asOf });
      const { nodes, focusNode } = annotatedBody(doc, at);
      view.replaceChildren(
        el("p", {}, eventId
          ? el("a", { href: `#event=${encodeURIComponent(eventId)}`, class: "back" }, "← back to the event")
          : el("a", { href: "#", class: "back" }, "← close")),
        el("h2", { text: doc.title || doc.id }),
        el("p", { class: "muted small" },
          `Published ${localClock(doc.published_at, doc.timezone && safeZone(doc.timezone))} (${doc.timezone}) · ` +
          `version ${doc.version} · ${doc.time_expressions.length} time expressions, ${doc.mentions.length} event mentions`),
        el("p", { class: "article-legend small muted" },
          el("mark", { class: "timex", text: "time expression" }), " hover for the resolved value · ",
          el("span", { class: "trigger", text: "event trigger" })),
        el("div", { class: "article-body" }, nodes));
      if (focusNode) focusNode.scrollIntoView({ block: "center" });
    } catch (err) {
      view.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  }

  // ------------------------------------------------------------------ wiring ---------------
  function start() {
    if (!window.vis) {
      showError("The timeline library did not load (/static/vendor/vis-timeline/).");
      return;
    }
    let typing = null;
    form.addEventListener("change", (ev) => {
      if (ev.target.name === "clock") state.zone = safeZone(ev.target.value);
      loadTimeline();
    });
    form.addEventListener("input", (ev) => {
      if (ev.target.name !== "q") return;
      clearTimeout(typing);
      typing = setTimeout(loadTimeline, 350);
    });
    form.addEventListener("submit", (ev) => { ev.preventDefault(); loadTimeline(); });
    form.addEventListener("reset", () => setTimeout(loadTimeline, 0));
    $("focus").addEventListener("click", showFocus);
    $("fit").addEventListener("click", () => { state.timeline && state.timeline.fit({ animation: false }); updateOutside(); });
    $("zoom-in").addEventListener("click", () => state.timeline && state.timeline.zoomIn(0.5));
    $("zoom-out").addEventListener("click", () => state.timeline && state.timeline.zoomOut(0.5));
    window.addEventListener("hashchange", route);
    loadTimeline();
  }

  start();
})();
