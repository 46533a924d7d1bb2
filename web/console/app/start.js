/* Parley console (start.js): sign-in, start-up after sign-in, and the page switcher.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  function $() { return PC.$.apply(null, arguments); }
  var S = PC.S;
  function api() { return PC.api.apply(null, arguments); }
  function clearAuth() { return PC.clearAuth.apply(null, arguments); }
  function connectWs() { return PC.connectWs.apply(null, arguments); }
  function expiresMs() { return PC.expiresMs.apply(null, arguments); }
  function loadAgents() { return PC.loadAgents.apply(null, arguments); }
  function loadAuth() { return PC.loadAuth.apply(null, arguments); }
  function loadCanned() { return PC.loadCanned.apply(null, arguments); }
  function loadList() { return PC.loadList.apply(null, arguments); }
  function refreshAll() { return PC.refreshAll.apply(null, arguments); }
  function report() { return PC.report.apply(null, arguments); }
  function saveAuth() { return PC.saveAuth.apply(null, arguments); }
  function scheduleRefresh() { return PC.scheduleRefresh.apply(null, arguments); }
  function stopLive() { return PC.stopLive.apply(null, arguments); }
  function t() { return PC.t.apply(null, arguments); }

  function showLogin(message) {
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    document.title = "Parley console";
    setTimeout(function () { $("login-email").focus(); }, 0);
  }

  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    $("login-error").textContent = "";
    api("POST", "/agent/login", {email: $("login-email").value.trim(), password: $("login-password").value},
      {noAuth: true}).then(function (r) {
      saveAuth({token: r.token, expires_at: r.expires_at, agent: r.agent}, $("login-keep").checked);
      $("login-password").value = "";
      start();
    }).catch(function (e) {
      $("login-error").textContent = e.code === "account_disabled" ? t("disabled") :
        e.code === "too_many_attempts" ? t("locked_out", {min: Math.max(1, Math.ceil((e.details.retry_after || 60) / 60))}) :
        (e.status === 401 ? t("bad_login") : e.message);
    });
  });

  function signedOut() {
    clearAuth();
    stopLive();
    S.current = null; S.convs = {}; S.msgs = {};
    showLogin("");
  }

  $("signout").addEventListener("click", function () {
    if (S.auth) api("POST", "/agent/logout", {}).catch(function () {});  // ends this session server-side
    signedOut();
    if (tabs) tabs.postMessage({type: "signout"});   // every tab of this console signs out
  });

  /* Several tabs: a new tab borrows the session of a tab already signed in (same origin only),
     so "keep me signed in" is not needed to open a second tab; signing out ends them all. */
  var tabs = ("BroadcastChannel" in window) ? new BroadcastChannel("parley.console") : null;
  if (tabs) tabs.onmessage = function (e) {
    var d = e.data || {};
    if (d.type === "who" && S.auth && S.me) tabs.postMessage({type: "auth", auth: S.auth});
    else if (d.type === "auth" && !S.auth && d.auth && d.auth.token && expiresMs(d.auth) > Date.now()) {
      saveAuth(d.auth, d.auth.keep);
      if (S.booted) start(); else boot();
    } else if (d.type === "signout" && S.auth) signedOut();
  };

  function boot() {
    if (S.booted) return;
    S.booted = true;
    start();
  }

  function isSupervisor() { return S.me && (S.me.role === "supervisor" || S.me.role === "admin"); }
  function isAdmin() { return S.me && S.me.role === "admin"; }

  function start() {
    S.auth = S.auth || loadAuth();
    if (!S.auth) return showLogin("");
    S.me = S.auth.agent;
    $("login").hidden = true;
    $("app").hidden = false;
    api("GET", "/agent/me").then(function (me) {
      S.me = me;
      renderMe();
      applyRoles();
      scheduleRefresh();
      connectWs();
      refreshAll();
      loadCanned();
      if (isSupervisor()) loadAgents();
      showPage(S.page);
    }).catch(report);
  }

  function applyRoles() {
    document.querySelectorAll("[data-role]").forEach(function (n) {
      var need = n.getAttribute("data-role");
      n.hidden = need === "admin" ? !isAdmin() : !isSupervisor();
    });
  }

  function renderMe() {
    if (!S.me) return;
    $("me-name").textContent = S.me.name || S.me.email;
    var st = S.me.status || "offline";
    var b = $("presence");
    b.textContent = t(st === "online" ? "online" : (st === "away" ? "away" : "offline"));
    b.className = "presence " + st;
    b.setAttribute("aria-pressed", st === "online" ? "true" : "false");
    b.setAttribute("aria-label", t("status") + ": " + b.textContent);
    $("load").textContent = t("chats", {n: S.me.active_count || 0, m: S.me.capacity || 0});
  }

  $("presence").addEventListener("click", function () {
    var next = S.me && S.me.status === "online" ? "away" : "online";
    api("PUT", "/agent/status", {status: next}).then(function (r) {
      S.me = Object.assign(S.me, (r && r.agent) || r || {}, {status: next});
      renderMe();
    }).catch(report);
  });

  document.querySelectorAll("#pages [data-page]").forEach(function (b) {
    b.addEventListener("click", function () { showPage(b.getAttribute("data-page")); });
  });

  function showPage(page) {
    S.page = page;
    document.querySelectorAll("main > .page").forEach(function (p) { p.hidden = p.getAttribute("data-page") !== page; });
    document.querySelectorAll("#pages [data-page]").forEach(function (b) {
      if (b.getAttribute("data-page") === page) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
    });
    if (page === "supervisor") { loadAgents(); loadList("queue"); }
    if (PC.ADMIN_PAGES[page]) PC.ADMIN_PAGES[page]();
  }


  Object.assign(PC, {
    showLogin: showLogin,
    signedOut: signedOut,
    tabs: tabs,
    boot: boot,
    isSupervisor: isSupervisor,
    isAdmin: isAdmin,
    start: start,
    applyRoles: applyRoles,
    renderMe: renderMe,
    showPage: showPage
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
