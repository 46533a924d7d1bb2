/* Parley console (main.js): keyboard shortcuts, the language toggle, the module API (window.ParleyConsole) and boot.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  function $() { return PC.$.apply(null, arguments); }
  var ADMIN_PAGES = PC.ADMIN_PAGES;
  var INBOX_HOOKS = PC.INBOX_HOOKS;
  var S = PC.S;
  var SITE_PANELS = PC.SITE_PANELS;
  var STR = PC.STR;
  function accept() { return PC.accept.apply(null, arguments); }
  function api() { return PC.api.apply(null, arguments); }
  function applyI18n() { return PC.applyI18n.apply(null, arguments); }
  function boot() { return PC.boot.apply(null, arguments); }
  var cfg = PC.cfg;
  function clear() { return PC.clear.apply(null, arguments); }
  function doAction() { return PC.doAction.apply(null, arguments); }
  function el() { return PC.el.apply(null, arguments); }
  function errBox() { return PC.errBox.apply(null, arguments); }
  function field() { return PC.field.apply(null, arguments); }
  function fmtTime() { return PC.fmtTime.apply(null, arguments); }
  function isAdmin() { return PC.isAdmin.apply(null, arguments); }
  function loadAuth() { return PC.loadAuth.apply(null, arguments); }
  function openConversation() { return PC.openConversation.apply(null, arguments); }
  function openTransfer() { return PC.openTransfer.apply(null, arguments); }
  function renderHeader() { return PC.renderHeader.apply(null, arguments); }
  function renderList() { return PC.renderList.apply(null, arguments); }
  function renderLog() { return PC.renderLog.apply(null, arguments); }
  function renderMe() { return PC.renderMe.apply(null, arguments); }
  function renderSupervisor() { return PC.renderSupervisor.apply(null, arguments); }
  function renderVisitor() { return PC.renderVisitor.apply(null, arguments); }
  function report() { return PC.report.apply(null, arguments); }
  function section() { return PC.section.apply(null, arguments); }
  function selectTab() { return PC.selectTab.apply(null, arguments); }
  function setConn() { return PC.setConn.apply(null, arguments); }
  function showErr() { return PC.showErr.apply(null, arguments); }
  function start() { return PC.start.apply(null, arguments); }
  function t() { return PC.t.apply(null, arguments); }
  var tabs = PC.tabs;
  function toast() { return PC.toast.apply(null, arguments); }
  function unread() { return PC.unread.apply(null, arguments); }

  document.addEventListener("keydown", function (e) {
    if ($("app").hidden) return;
    var inField = /^(INPUT|TEXTAREA|SELECT)$/.test((e.target && e.target.tagName) || "");
    if (e.key === "?" && !inField && !e.ctrlKey && !e.altKey) { e.preventDefault(); $("help").showModal(); return; }
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key.toLowerCase(), code = e.code;
    if (e.key === "ArrowDown") { e.preventDefault(); nextUnread(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); stepList(-1); }
    else if (k === "c" || code === "KeyC") { e.preventDefault(); doAction("close"); }
    else if (k === "t" || code === "KeyT") { e.preventDefault(); if (S.current) openTransfer("transfer"); }
    else if (k === "a" || code === "KeyA") {
      e.preventDefault();
      var first = (S.lists.queue || [])[0];
      if (first) accept(first);
    }
  });

  function nextUnread() {
    var ids = (S.lists.mine || []).concat(S.lists.all || []);
    var start = Math.max(0, ids.indexOf(S.current) + 1);
    for (var i = 0; i < ids.length; i++) {
      var id = ids[(start + i) % ids.length];
      if (id !== S.current && unread(S.convs[id]) > 0) {
        if (S.tab !== "mine" && (S.lists.mine || []).indexOf(id) >= 0) selectTab("mine");
        return openConversation(id);
      }
    }
    stepList(1);
  }

  function stepList(dir) {
    var ids = S.lists[S.tab] || [];
    if (!ids.length) return;
    var i = ids.indexOf(S.current);
    openConversation(ids[(i + dir + ids.length) % ids.length]);
  }

  document.querySelectorAll(".lang-toggle").forEach(function (b) {
    b.addEventListener("click", function () {
      PC.setLang(PC.getLang() === "zh" ? "en" : "zh");
      localStorage.setItem("parley.console.lang", PC.getLang());
      applyI18n();
      renderMe();
      if (!$("app").hidden) { renderList(); renderHeader(); renderVisitor(); renderLog(false); if (ADMIN_PAGES[S.page]) ADMIN_PAGES[S.page](); if (S.page === "supervisor") renderSupervisor(); }
      setConn(S.wsState);
    });
  });

  window.ParleyConsole = {
    // for page modules loaded after this file (reports.js): they add a renderer to `pages`
    api: api, pages: ADMIN_PAGES, me: function () { return S.me; }, lang: function () { return PC.getLang(); },
    state: function () {
      return {signedIn: !!S.auth, me: S.me, ws: S.wsState, tab: S.tab, current: S.current, page: S.page,
        lists: JSON.parse(JSON.stringify(S.lists)), notified: S.notified, notices: (S.notices || []).slice(),
        loadedLists: Object.keys(S.listLoaded), syncedAt: S.syncedAt,
        synced: S.current ? S.synced[S.current] : null,
        seqs: S.current ? Object.keys(S.msgs[S.current] || {}).map(Number).sort(function (a, b) { return a - b; }) : []};
    },
    /* for page modules (web/console/audit.js): the console's helpers, and places to plug in */
    ext: {
      api: api, t: t, el: el, clear: clear, toast: toast, report: report, fmtTime: fmtTime,
      eventText: function (m) { return PC.eventText(m); },
      /* a transcript line's sender: its name, else its kind in the page's language */
      senderName: function (name, type) { return name || (/^(visitor|bot)$/.test(type || "") ? t(type) : type || ""); },
      /* an admin's first site key (a page with no site chosen starts there), else null */
      firstSite: function () {
        if (!isAdmin()) return Promise.resolve(null);
        return api("GET", "/admin/sites").then(function (r) { var s = ((r && r.sites) || [])[0]; return s ? s.site_key : null; })
          .catch(function () { return null; });
      },
      section: section, field: field, errBox: errBox, showErr: showErr, isAdmin: function () { return isAdmin(); },
      lang: function () { return PC.getLang(); },
      addStrings: function (en, zh) { Object.assign(STR.en, en); Object.assign(STR.zh, zh); applyI18n(); },
      addPage: function (name, render) { ADMIN_PAGES[name] = render; if (S.page === name && !$("app").hidden) render(); },
      addSitePanel: function (panel) { SITE_PANELS.push(panel); },
      /* inbox plug-ins: item(conv, li) list entries, header(conv, box) actions under the
         conversation's buttons, visitor(conv, panel, details) the side panel, message(msg, li,
         conv) each rendered message, event(ev) every socket event; current() the open one */
      inbox: {
        on: function (kind, fn) { INBOX_HOOKS[kind].push(fn); },
        current: function () { return S.current ? S.convs[S.current] : null; },
        details: function (cid) { return S.details[cid] || null; },
        refresh: function () { renderList(); if (S.current) { renderHeader(); renderVisitor(); renderLog(false); } }
      }
    }
  };

  applyI18n();
  fetch("/config.json", {cache: "no-store"}).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; })
    .then(function (c) {
      if (c && c.api) cfg.api = c.api.replace(/\/$/, "");
      if (c && c.ws) cfg.ws = c.ws;
      S.auth = loadAuth();
      if (S.auth || !tabs) return boot();
      tabs.postMessage({type: "who"});       // another tab may be signed in already
      setTimeout(boot, 400);
    });

  Object.assign(PC, {
    nextUnread: nextUnread,
    stepList: stepList
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
