/* Parley console (core.js): DOM helpers (el() sets text with textContent only), the shared state S, auth storage and REST calls.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  function showLogin() { return PC.showLogin.apply(null, arguments); }
  function stopLive() { return PC.stopLive.apply(null, arguments); }
  function t() { return PC.t.apply(null, arguments); }

  function $(id) { return document.getElementById(id); }

  /* el("div", {class: "x", onclick: fn, "aria-label": "y"}, [child, "text"]) — text via textContent only */
  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k.indexOf("on") === 0 && typeof v === "function") n.addEventListener(k.slice(2), v);
      else if (k === "text") n.textContent = v;
      else if (k === "value") n.value = v;
      else if (k === "checked") n.checked = !!v;
      else if (k === "dataset") Object.keys(v).forEach(function (d) { n.dataset[d] = v[d]; });
      else n.setAttribute(k, v === true ? "" : String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      n.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return n;
  }

  function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); return n; }

  function toast(msg, kind) {
    var n = el("div", {class: "toast " + (kind || ""), text: msg});
    $("toasts").appendChild(n);
    setTimeout(function () { n.remove(); }, 5000);
  }

  function fmtDuration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m " + (s % 60) + "s";
    return Math.floor(m / 60) + "h " + (m % 60) + "m";
  }

  function fmtTime(ms) {
    if (!ms) return "";
    var d = new Date(ms);
    var same = new Date().toDateString() === d.toDateString();
    return same ? d.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}) : d.toLocaleString();
  }

  function uid() {
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  var cfg = {api: "/v1", ws: (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws"};
  var S = {
    lookup: null,            // the last server-side visitor lookup {q, results}
    nextBefore: {},          // tab -> cursor of the next page (closed, offline, open, all)
    paged: {},               // tab -> true once "Load more" was used
    auth: null,              // {token, expires_at, agent}
    me: null,                // agent view
    tab: "mine",
    page: "inbox",
    lists: {mine: [], team: [], queue: [], open: [], offline: [], all: [], closed: []},
    listLoaded: {},          // tab -> loaded once (then kept current by pushed deltas)
    syncedAt: 0,             // newest updated_at (server ms) held: where a re-sync starts
    convs: {},               // cid -> conversation view (merged)
    msgs: {},                // cid -> {seq: message}
    firstSeq: {},            // cid -> lowest loaded seq
    synced: {},              // cid -> catch-up marker: every seq up to it is held (sync starts there)
    syncReq: {}, syncN: 0,   // socket sync request id -> {cid, after}
    gapTimers: {},
    hasMore: {},
    loaded: {},              // cid -> the latest page was fetched
    details: {},             // cid -> {visitor, previous_conversations}
    current: null,
    canned: [],
    agents: [],              // supervisor view
    ws: null, wsState: "offline", wsAttempts: 0, wsTimer: null, pingTimer: null, lifeTimer: null,
    typingTimers: {}, lastTypingSent: 0,
    knownQueue: null,        // set of cids seen in the queue (to notify new ones)
    refreshTimer: null, tokenTimer: null,
    audio: null
  };

  var AUTH_KEY = "parley.console.auth";

  function loadAuth() {
    var raw = sessionStorage.getItem(AUTH_KEY) || localStorage.getItem(AUTH_KEY);
    if (!raw) return null;
    try {
      var a = JSON.parse(raw);
      if (expiresMs(a) <= Date.now()) { clearAuth(); return null; }
      return a;
    } catch (e) { return null; }
  }

  function saveAuth(a, keep) {
    S.auth = a;
    var store = keep ? localStorage : sessionStorage;
    (keep ? sessionStorage : localStorage).removeItem(AUTH_KEY);
    a.keep = !!keep;
    store.setItem(AUTH_KEY, JSON.stringify(a));
  }

  function clearAuth() {
    sessionStorage.removeItem(AUTH_KEY);
    localStorage.removeItem(AUTH_KEY);
    S.auth = null;
  }

  function expiresMs(a) {
    var e = Number(a && a.expires_at) || 0;
    return e < 1e12 ? e * 1000 : e;
  }

  function ApiError(status, body) {
    var err = (body && body.error) || {};
    this.status = status;
    this.code = err.code || ("http_" + status);
    this.message = err.message || ("HTTP " + status);
    this.details = err.details || {};
  }

  function api(method, path, body, opts) {
    opts = opts || {};
    var headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (S.auth && !opts.noAuth) headers.Authorization = "Bearer " + S.auth.token;
    return fetch(cfg.api + path, {method: method, headers: headers,
      body: body !== undefined ? JSON.stringify(body) : undefined}).then(function (resp) {
      if (opts.raw) {
        if (!resp.ok) return resp.json().catch(function () { return {}; }).then(function (b) { throw new ApiError(resp.status, b); });
        return resp;
      }
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var err = new ApiError(resp.status, data);
          if (resp.status === 401 && !opts.noAuth) sessionEnded(err);
          throw err;
        }
        return data;
      });
    });
  }

  function report(err) {
    if (err && err.status === 401) return;
    toast((err && err.message) || String(err), "bad");
  }

  function sessionEnded(err) {
    if (!S.auth) return;
    clearAuth();
    stopLive();
    showLogin(err && err.code === "account_disabled" ? t("disabled") :
      (err && err.code === "session_revoked" ? t("session_revoked") : t("session_expired")));
  }

  function scheduleRefresh() {
    clearTimeout(S.tokenTimer);
    if (!S.auth) return;
    var left = expiresMs(S.auth) - Date.now();
    var wait = Math.max(5000, Math.min(left - 5 * 60 * 1000, left / 2));
    S.tokenTimer = setTimeout(function () {
      api("POST", "/agent/token", {}).then(function (r) {
        saveAuth({token: r.token, expires_at: r.expires_at, agent: r.agent}, S.auth && S.auth.keep);
        S.me = Object.assign(S.me || {}, r.agent);
        scheduleRefresh();
      }).catch(function (e) { if (e.status !== 401) setTimeout(scheduleRefresh, 30000); });
    }, wait);
  }


  Object.assign(PC, {
    "$": $,
    el: el,
    clear: clear,
    toast: toast,
    fmtDuration: fmtDuration,
    fmtTime: fmtTime,
    uid: uid,
    cfg: cfg,
    S: S,
    AUTH_KEY: AUTH_KEY,
    loadAuth: loadAuth,
    saveAuth: saveAuth,
    clearAuth: clearAuth,
    expiresMs: expiresMs,
    ApiError: ApiError,
    api: api,
    report: report,
    sessionEnded: sessionEnded,
    scheduleRefresh: scheduleRefresh
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
