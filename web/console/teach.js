/* Parley console: "Teach the bot" in the inbox (issue #12; docs/console.md, docs/bot.md
 * "Learning from traffic"). Admins only: under each visitor text message of the open
 * conversation, an action that opens an inline picker -- the knowledge-base entries of the
 * conversation's site, those the bot's matcher ranks for the message first (GET
 * /v1/admin/kb?site_key=&q=), eight shown, a search box to narrow them, and "out of scope".
 * Confirming posts POST /v1/admin/kb/labels {site_key, text, entry_id|null, conversation_id}:
 * the text becomes a similar question of the entry (and a labelled example) at once.
 *
 * The inbox redraws the whole log on every change (conversation.js renderLog), so each
 * message's action and picker is one element kept here and moved into the redrawn message:
 * an open picker keeps its search text, its choice and the keyboard focus.
 * Plugs in through window.ParleyConsole.ext.inbox; every server or visitor value is set with
 * textContent (the el() helper), never as HTML. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const SHOWN = 8;            // entries listed at once; the search box narrows the rest

const EN = {
  tb_teach: "Teach the bot", tb_title: "Add this question to a knowledge-base entry",
  tb_filter: "Search entries", tb_filter_ph: "Search the knowledge base",
  tb_entries: "Entries (best matches first)", tb_oos: "Out of scope: the bot should not answer this",
  tb_loading: "Loading entries…", tb_none: "No entry matches.",
  tb_showing: "Showing {n} of {m}: type to narrow the list.", tb_all: "{m} entries.", tb_one: "1 entry.",
  tb_pick: "Choose an entry", tb_add: "Add to “{q}”", tb_mark_oos: "Mark out of scope",
  tb_cancel: "Cancel", tb_saving: "Saving…", tb_disabled: "(disabled)",
  tb_added: "Added to “{q}”", tb_added_oos: "Marked out of scope"
};
const ZH = {
  tb_teach: "教给机器人", tb_title: "把这个问题加入知识库条目",
  tb_filter: "搜索条目", tb_filter_ph: "搜索知识库",
  tb_entries: "条目(最匹配的在前)", tb_oos: "不在范围内:机器人不应回答这个问题",
  tb_loading: "正在加载条目…", tb_none: "没有匹配的条目。",
  tb_showing: "显示 {n} / {m} 条,输入文字可缩小范围。", tb_all: "共 {m} 条。", tb_one: "共 1 条。",
  tb_pick: "请选择条目", tb_add: "加入「{q}」", tb_mark_oos: "标记为不在范围内",
  tb_cancel: "取消", tb_saving: "正在保存…", tb_disabled: "(已停用)",
  tb_added: "已加入「{q}」", tb_added_oos: "已标记为不在范围内"
};

const widgets = new Map();   // "<conversation id>:<seq>" -> its action (kept across redraws)
let made = 0;
let lastFocus = null;        // the focused element when it is inside an action, else null

function teachable(msg, conv) {
  return !!(msg && msg.sender && msg.sender.type === "visitor" && (msg.type || "text") === "text" &&
    typeof msg.text === "string" && msg.text.trim() && conv && conv.site_key);
}

function oneLine(s, n) {
  const t = String(s || "").replace(/\s+/g, " ").trim();
  return t.length > n ? t.slice(0, n - 1) + "…" : t;
}

function haystack(e) {
  return [e.question, e.id, e.answer].concat(e.similar || []).join("\n").toLowerCase();
}

// ranked entries (the matcher's order for the message) first, then every other entry
function merge(ranked, all) {
  const seen = new Set();
  const out = [];
  (ranked || []).forEach((e) => { if (!seen.has(e.id)) { seen.add(e.id); out.push(Object.assign({ranked: true}, e)); } });
  (all || []).forEach((e) => { if (!seen.has(e.id)) { seen.add(e.id); out.push(e); } });
  return out;
}

function create(conv, msg) {
  const {el} = X;
  const n = ++made;
  const w = {
    key: conv.conversation_id + ":" + msg.seq, cid: conv.conversation_id, site: conv.site_key,
    text: msg.text.trim(), entries: null, selected: undefined, done: null, busy: false, lang: null,
    loadId: 0
  };
  w.btn = el("button", {type: "button", class: "link small teach-btn", "aria-expanded": "false",
    "aria-controls": "teach-picker-" + n, onclick: () => toggle(w)});
  w.title = el("p", {class: "teach-title", id: "teach-title-" + n});
  w.filterLabel = el("span");
  w.filter = el("input", {type: "search", class: "teach-filter", maxlength: "200", autocomplete: "off",
    oninput: () => renderList(w)});
  w.legend = el("legend");
  w.list = el("div", {class: "teach-list"});
  w.oosText = el("span");
  w.oos = el("input", {type: "radio", name: "teach-" + n, value: "", onchange: () => choose(w, null)});
  w.hint = el("p", {class: "muted teach-hint", "aria-live": "polite"});
  w.err = el("p", {class: "error teach-error", role: "alert"});
  w.ok = el("button", {type: "button", class: "primary small teach-ok", disabled: true, onclick: () => confirmLabel(w)});
  w.cancel = el("button", {type: "button", class: "small teach-cancel", onclick: () => close(w, true)});
  w.radioName = "teach-" + n;
  w.picker = el("div", {class: "teach-picker", id: "teach-picker-" + n, role: "group",
    "aria-labelledby": "teach-title-" + n, hidden: true}, [
    w.title,
    el("label", {class: "teach-search"}, [w.filterLabel, w.filter]),
    el("fieldset", {class: "teach-options"}, [w.legend, w.list,
      el("label", {class: "teach-option teach-oos"}, [w.oos, w.oosText])]),
    w.hint, w.err,
    el("div", {class: "row teach-buttons"}, [w.ok, w.cancel])
  ]);
  w.root = el("div", {class: "teach", dataset: {teach: w.key}}, [w.btn, w.picker]);
  // Escape closes an open picker (from it or from its button) and gives the focus back
  w.root.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !w.picker.hidden) { e.preventDefault(); e.stopPropagation(); close(w, true); }
  });
  widgets.set(w.key, w);
  return w;
}

// every string of the action, in the console's language (called again when it changes)
function paint(w) {
  const {t} = X;
  w.lang = X.lang();
  if (w.done) {
    w.btn.textContent = w.done.question === null ? t("tb_added_oos") : t("tb_added", {q: w.done.question});
    w.btn.setAttribute("aria-disabled", "true");
    w.btn.removeAttribute("aria-expanded");
    w.btn.classList.add("teach-done");
  } else {
    w.btn.textContent = t("tb_teach");
  }
  w.title.textContent = t("tb_title");
  w.filterLabel.textContent = t("tb_filter");
  w.filter.placeholder = t("tb_filter_ph");
  w.legend.textContent = t("tb_entries");
  w.oosText.textContent = t("tb_oos");
  w.cancel.textContent = t("tb_cancel");
  renderList(w);
}

function toggle(w) {
  if (w.done || w.busy) return;
  if (w.picker.hidden) open(w); else close(w, true);
}

function open(w) {
  w.picker.hidden = false;
  w.btn.setAttribute("aria-expanded", "true");
  w.root.classList.add("open");
  w.err.textContent = "";
  w.filter.focus();
  w.picker.scrollIntoView({block: "nearest"});
  load(w);
}

function close(w, refocus) {
  w.picker.hidden = true;
  w.root.classList.remove("open");
  if (!w.done) w.btn.setAttribute("aria-expanded", "false");
  if (refocus) w.btn.focus();
}

// fresh on every opening: the entries change (this very action changes them)
function load(w) {
  const id = ++w.loadId;
  const site = "/admin/kb?site_key=" + encodeURIComponent(w.site);
  w.entries = null;
  renderList(w);
  Promise.all([X.api("GET", site + "&q=" + encodeURIComponent(w.text.slice(0, 500))), X.api("GET", site)])
    .then(([ranked, all]) => {
      if (id !== w.loadId) return;
      w.entries = merge(ranked.entries, all.entries);
      const best = w.entries[0];
      if (w.selected === undefined && best && best.ranked) w.selected = best.id;
      renderList(w);
    })
    .catch((e) => {
      if (id !== w.loadId) return;
      w.entries = [];
      renderList(w);
      X.showErr(w.err, e);
    });
}

function shownEntries(w) {
  const f = w.filter.value.trim().toLowerCase();
  const all = w.entries || [];
  const hits = f ? all.filter((e) => haystack(e).indexOf(f) >= 0) : all;
  return {shown: hits.slice(0, SHOWN), total: hits.length};
}

function renderList(w) {
  const {el, t, clear} = X;
  const list = clear(w.list);
  if (w.entries === null) {
    w.hint.textContent = t("tb_loading");
    updateOk(w);
    return;
  }
  const {shown, total} = shownEntries(w);
  // a choice that the search hides is dropped: what is confirmed is always in sight
  if (w.selected && !shown.some((e) => e.id === w.selected)) w.selected = undefined;
  shown.forEach((e) => {
    const radio = el("input", {type: "radio", name: w.radioName, value: e.id,
      checked: w.selected === e.id, onchange: () => choose(w, e.id)});
    list.appendChild(el("label", {class: "teach-option", dataset: {entry: e.id}}, [radio,
      el("span", {class: "teach-q"}, [e.question, e.enabled === false ? " " + t("tb_disabled") : ""]),
      el("span", {class: "muted teach-a", text: oneLine(e.answer, 90)})]));
  });
  w.oos.checked = w.selected === null;
  w.hint.textContent = !total ? t("tb_none") : total > shown.length ? t("tb_showing", {n: shown.length, m: total}) :
    total === 1 ? t("tb_one") : t("tb_all", {m: total});
  updateOk(w);
}

function choose(w, id) {
  w.selected = id;
  w.err.textContent = "";
  updateOk(w);
}

function entryQuestion(w, id) {
  const e = (w.entries || []).find((x) => x.id === id);
  return e ? e.question : id;
}

function updateOk(w) {
  const {t} = X;
  if (w.busy) { w.ok.textContent = t("tb_saving"); w.ok.disabled = true; return; }
  w.ok.disabled = w.selected === undefined;
  w.ok.textContent = w.selected === undefined ? t("tb_pick") : w.selected === null ? t("tb_mark_oos") :
    t("tb_add", {q: oneLine(entryQuestion(w, w.selected), 60)});
}

function confirmLabel(w) {
  if (w.selected === undefined || w.busy || w.done) return;
  w.busy = true;
  w.err.textContent = "";
  updateOk(w);
  X.api("POST", "/admin/kb/labels", {site_key: w.site, text: w.text, entry_id: w.selected, conversation_id: w.cid})
    .then((r) => {
      w.busy = false;
      w.done = {question: r && r.entry ? r.entry.question : null};
      close(w, false);
      paint(w);
      w.btn.focus();
    })
    .catch((e) => {
      w.busy = false;
      updateOk(w);
      X.showErr(w.err, e);
    });
}

function message(msg, li, conv) {
  if (!X.isAdmin() || !teachable(msg, conv)) return;
  const key = conv.conversation_id + ":" + msg.seq;
  const w = widgets.get(key) || create(conv, msg);
  if (w.lang !== X.lang()) paint(w);
  li.classList.add("teachable");
  li.appendChild(w.root);
  // the log was cleared and is being redrawn: focus inside this action comes back after it
  if (lastFocus && w.root.contains(lastFocus)) {
    const target = lastFocus;
    Promise.resolve().then(() => {
      const a = document.activeElement;
      if ((!a || a === document.body) && target.isConnected) target.focus({preventScroll: true});
    });
  }
}

if (X && X.inbox) {
  X.addStrings(EN, ZH);
  X.inbox.on("message", message);
  document.addEventListener("focusin", (e) => {
    lastFocus = e.target && e.target.closest && e.target.closest(".teach") ? e.target : null;
  });
  // a click outside (even on text that takes no focus) means the focus left the action
  document.addEventListener("mousedown", (e) => {
    if (!(e.target && e.target.closest && e.target.closest(".teach"))) lastFocus = null;
  });
}

export { message, merge };
