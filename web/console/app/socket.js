/* Parley console (socket.js): the WebSocket (ping, renewal, backoff, gap syncs), pushed events and notifications.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  function $() { return PC.$.apply(null, arguments); }
  var S = PC.S;
  function addMessages() { return PC.addMessages.apply(null, arguments); }
  function api() { return PC.api.apply(null, arguments); }
  function applyDelta() { return PC.applyDelta.apply(null, arguments); }
  var cfg = PC.cfg;
  function el() { return PC.el.apply(null, arguments); }
  function examined() { return PC.examined.apply(null, arguments); }
  function fetchConversation() { return PC.fetchConversation.apply(null, arguments); }
  function isSupervisor() { return PC.isSupervisor.apply(null, arguments); }
  function loadAgents() { return PC.loadAgents.apply(null, arguments); }
  function markRead() { return PC.markRead.apply(null, arguments); }
  function noticeMine() { return PC.noticeMine.apply(null, arguments); }
  function renderHeader() { return PC.renderHeader.apply(null, arguments); }
  function renderList() { return PC.renderList.apply(null, arguments); }
  function renderLists() { return PC.renderLists.apply(null, arguments); }
  function renderLog() { return PC.renderLog.apply(null, arguments); }
  function renderMe() { return PC.renderMe.apply(null, arguments); }
  function renderSupervisor() { return PC.renderSupervisor.apply(null, arguments); }
  function resync() { return PC.resync.apply(null, arguments); }
  function runHooks() { return PC.runHooks.apply(null, arguments); }
  function sessionEnded() { return PC.sessionEnded.apply(null, arguments); }
  function t() { return PC.t.apply(null, arguments); }
  function toast() { return PC.toast.apply(null, arguments); }
  function unread() { return PC.unread.apply(null, arguments); }
  function visitorLabel() { return PC.visitorLabel.apply(null, arguments); }

  function setConn(state) {
    S.wsState = state;
    if (state === "online") S.wsDownSince = 0;
    else if (!S.wsDownSince) S.wsDownSince = Date.now();
    var n = $("conn-state");
    n.textContent = t(state === "online" ? "live" : (state === "connecting" ? "connecting" : "reconnecting"));
    n.className = "conn " + state;
  }

  // The same socket keepalive as the widget (docs/websocket-protocol.md, "Limits"): a ping
  // every 4 minutes (API Gateway's idle timeout is 10), no pong within 10 s drops a dead
  // socket; renewal at 110 minutes (the 2-hour limit) make before break; reconnect backoff
  // min(30 s, 0.5 s * 2^n) with equal jitter.
  var PING_MS = 240000, PONG_MS = 10000, RENEW_MS = 110 * 60000;

  function connectWs(renew) {
    if (!S.auth) return;
    clearTimeout(S.wsTimer);
    var old = renew && S.ws && S.ws.readyState === 1 ? S.ws : null;
    if (S.ws && !old) { try { S.ws.onclose = null; S.ws.close(); } catch (e) { /* ignore */ } S.ws = null; }
    if (!old) setConn("connecting");
    var url = cfg.ws + (cfg.ws.indexOf("?") >= 0 ? "&" : "?") + "token=" + encodeURIComponent(S.auth.token) + "&role=agent";
    var ws;
    try { ws = new WebSocket(url); } catch (e) { return old ? undefined : scheduleReconnect(); }
    if (!old) S.ws = ws;
    ws.onopen = function () {
      if (old) {
        // renewal: the new socket is open, now the old one goes (its events overlap: by seq)
        if (S.ws !== old) { ws.onclose = null; ws.close(); return; }
        S.ws = ws;
        old.onclose = null;
        try { old.close(1000); } catch (e) { /* ignore */ }
      } else if (S.ws !== ws) return;
      S.wsAttempts = 0;
      setConn("online");
      // catch up every conversation we hold messages for, then the lists
      Object.keys(S.loaded).forEach(function (cid) { syncConversation(cid); });
      resync();
      if (isSupervisor()) loadAgents();
      clearInterval(S.pingTimer);
      clearTimeout(S.lifeTimer);
      S.pingTimer = setInterval(function () {
        if (S.ws !== ws) return;
        wsSend({action: "ping"});
        clearTimeout(S.pongTimer);
        S.pongTimer = setTimeout(function () {
          if (S.ws === ws) { S.ws = null; ws.onclose = null; try { ws.close(); } catch (e) { /* ignore */ } scheduleReconnect(); }
        }, PONG_MS);
      }, PING_MS);
      S.lifeTimer = setTimeout(function () { if (S.ws === ws) connectWs(true); }, RENEW_MS);
    };
    ws.onmessage = function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      onEvent(data);
    };
    ws.onclose = function () {
      if (S.ws === ws) { clearInterval(S.pingTimer); clearTimeout(S.lifeTimer); S.ws = null; scheduleReconnect(); }
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    if (!S.auth) return;
    setConn("reconnecting");
    var delay = Math.min(30000, 500 * Math.pow(2, S.wsAttempts++)) * (0.5 + Math.random() / 2);
    clearTimeout(S.wsTimer);
    S.wsTimer = setTimeout(function () {
      // a dropped socket may mean an expired token: check it over REST first
      api("GET", "/agent/me").then(function (me) { S.me = me; renderMe(); connectWs(); })
        .catch(function (e) { if (e.status !== 401) scheduleReconnect(); });
    }, delay);
  }

  function stopLive() {
    clearTimeout(S.wsTimer); clearTimeout(S.tokenTimer); clearInterval(S.pingTimer); clearTimeout(S.lifeTimer);
    if (S.ws) { var ws = S.ws; S.ws = null; ws.onclose = null; try { ws.close(); } catch (e) { /* ignore */ } }
    setConn("offline");
  }

  function wsSend(frame) {
    if (S.ws && S.ws.readyState === 1) S.ws.send(JSON.stringify(frame));
  }

  window.addEventListener("online", function () { if (!S.ws && S.auth) { S.wsAttempts = 0; connectWs(); } });
  window.addEventListener("offline", function () {
    // the browser knows the network is gone: drop the socket now, catch up when it is back
    if (S.ws) { var ws = S.ws; S.ws = null; ws.onclose = null; try { ws.close(); } catch (e) { /* ignore */ } }
    clearInterval(S.pingTimer);
    clearTimeout(S.lifeTimer);
    clearTimeout(S.wsTimer);
    if (S.auth) setConn("reconnecting");
  });

  // from the catch-up marker (or `from`, a cursor while paging), never from the highest seq
  // held; a conversation whose first page is still loading syncs once that page is in
  function syncConversation(cid, from, gap) {
    if (S.synced[cid] === undefined) return Promise.resolve();
    var after = from !== undefined ? from : S.synced[cid];
    if (S.ws && S.ws.readyState === 1) {
      var id = "sync-" + (++S.syncN);
      S.syncReq[id] = {cid: cid, after: after, gap: gap};
      wsSend({action: "sync", id: id, conversation_id: cid, data: {after: after}});
      return Promise.resolve();
    }
    return api("GET", "/agent/conversations/" + encodeURIComponent(cid) + "/messages?after=" + after + "&limit=200").then(function (r) {
      onEvent({type: "sync", conversation_id: cid, after: after, messages: r.messages || [], cursor: r.cursor,
        has_more: r.has_more, conversation: r.conversation});
    });
  }

  function onEvent(ev) {
    var cid = ev.conversation_id;
    runHooks("event", ev);
    switch (ev.type) {
      case "message": {
        var m = ev.message;
        var isNew = addMessages(cid, [m]);
        var c = S.convs[cid];
        if (cid === S.current) { renderLog(false); markRead(); clearTyping(m.sender); }
        if (isNew && m.sender && m.sender.type === "visitor" && (cid !== S.current || document.hidden)) {
          notify(t("new_message"), (c ? visitorLabel(c) + ": " : "") + (m.text || (m.attachment && m.attachment.name) || ""));
        }
        if (!c) fetchConversation(cid);   // state changes come as deltas; this one is new to us
        renderList(); updateTitle();
        break;
      }
      case "sync": {
        var req = S.syncReq[ev.id] || {};
        delete S.syncReq[ev.id];
        var after = ev.after !== undefined ? ev.after : req.after;
        var cursor = ev.cursor === null || ev.cursor === undefined ? after : ev.cursor;
        addMessages(cid, ev.messages || []);
        examined(cid, after, cursor);
        // a gap sync on a live socket is for messages; conversation events keep the state
        if (ev.conversation && !req.gap) applyDelta(ev.conversation);
        if (ev.has_more) syncConversation(cid, cursor, req.gap);   // the next page starts at the cursor
        if (cid === S.current) { renderLog(false); renderHeader(); markRead(); }
        renderList(); updateTitle();
        break;
      }
      case "typing": {
        if (cid !== S.current || !ev.sender || (S.me && ev.sender.id === S.me.agent_id)) break;
        showTyping(ev.sender, ev.state);
        break;
      }
      case "read": {
        var cc = S.convs[cid];
        if (cc && ev.reader) {
          var key = ev.reader.type === "visitor" ? "visitor" : ev.reader.id;
          cc.reads = cc.reads || {};
          cc.reads[key] = Math.max(cc.reads[key] || 0, ev.seq || 0);
          if (cid === S.current) renderLog(false);
          renderList(); updateTitle();
        }
        break;
      }
      case "conversation": {
        var conv = applyDelta(ev.conversation);
        if (!conv) break;                 // not newer than what we hold
        noticeMine(conv, true);
        if (conv.conversation_id === S.current) { renderHeader(); syncConversation(conv.conversation_id); }
        renderLists();
        break;
      }
      case "agent": {
        var a = ev.agent;
        if (S.me && a.agent_id === S.me.agent_id) { S.me = Object.assign(S.me, a); renderMe(); }
        var found = false;
        S.agents = S.agents.map(function (x) { if (x.agent_id === a.agent_id) { found = true; return Object.assign({}, x, a); } return x; });
        if (!found && !a.disabled) S.agents.push(a);
        if (S.page === "supervisor") renderSupervisor();
        break;
      }
      case "pong":
        clearTimeout(S.pongTimer);
        break;
      case "error":
        if (ev.code === "token_expired" || ev.code === "invalid_token") sessionEnded(ev);
        else if (ev.code !== "conversation_closed") toast(ev.message || ev.code, "bad");
        break;
      default:
        break;
    }
  }

  function showTyping(sender, state) {
    var key = sender.type + ":" + (sender.id || "");
    clearTimeout(S.typingTimers[key]);
    var box = $("typing");
    var existing = box.querySelector("[data-key='" + CSS.escape(key) + "']");
    if (existing) existing.remove();
    if (!state) return;
    var who = sender.type === "visitor" ? visitorLabel(S.convs[S.current] || {}) : (sender.name || sender.type);
    box.appendChild(el("span", {dataset: {key: key}, text: t("typing", {who: who})}));
    S.typingTimers[key] = setTimeout(function () { showTyping(sender, false); }, 7000);
  }

  function clearTyping(sender) { if (sender) showTyping(sender, false); }

  function unlockAudio() {
    if (S.audio) return;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try { S.audio = new Ctx(); } catch (e) { S.audio = null; }
  }
  document.addEventListener("pointerdown", unlockAudio, {once: true});
  document.addEventListener("keydown", unlockAudio, {once: true});

  S.notified = 0;
  function notify(title, body) {
    S.notified++;
    S.notices = (S.notices || []).concat([title]).slice(-10);
    if (S.audio) {
      try {
        var o = S.audio.createOscillator(), g = S.audio.createGain();
        o.frequency.value = 880; g.gain.value = 0.08;
        o.connect(g); g.connect(S.audio.destination);
        o.start(); o.stop(S.audio.currentTime + 0.15);
      } catch (e) { /* ignore */ }
    }
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      try { new Notification(title, {body: body, tag: "parley"}); } catch (e) { /* ignore */ }
    }
    toast(title + (body ? " — " + body : ""));
  }

  $("notify-btn").addEventListener("click", function () {
    unlockAudio();
    if (window.Notification && Notification.permission !== "granted") {
      Notification.requestPermission().then(function () { $("notify-btn").hidden = Notification.permission === "granted"; });
    } else $("notify-btn").hidden = true;
  });
  if (!window.Notification || Notification.permission === "granted") $("notify-btn").hidden = true;

  function updateTitle() {
    var total = 0;
    (S.lists.mine || []).forEach(function (id) { total += unread(S.convs[id]); });
    var waiting = (S.lists.queue || []).length;
    document.title = (total ? "(" + total + ") " : "") + (waiting ? "[" + waiting + "] " : "") + "Parley console";
  }


  Object.assign(PC, {
    setConn: setConn,
    PING_MS: PING_MS,
    PONG_MS: PONG_MS,
    RENEW_MS: RENEW_MS,
    connectWs: connectWs,
    scheduleReconnect: scheduleReconnect,
    stopLive: stopLive,
    wsSend: wsSend,
    syncConversation: syncConversation,
    onEvent: onEvent,
    showTyping: showTyping,
    clearTyping: clearTyping,
    unlockAudio: unlockAudio,
    notify: notify,
    updateTitle: updateTitle
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
