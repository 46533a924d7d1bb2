/* Parley console (inbox.js): the inbox lists, filters, lookup, and merging pushed conversation deltas.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  function $() { return PC.$.apply(null, arguments); }
  var S = PC.S;
  function accept() { return PC.accept.apply(null, arguments); }
  function api() { return PC.api.apply(null, arguments); }
  function clear() { return PC.clear.apply(null, arguments); }
  function el() { return PC.el.apply(null, arguments); }
  function fmtDuration() { return PC.fmtDuration.apply(null, arguments); }
  function fmtTime() { return PC.fmtTime.apply(null, arguments); }
  function isSupervisor() { return PC.isSupervisor.apply(null, arguments); }
  function notify() { return PC.notify.apply(null, arguments); }
  function openConversation() { return PC.openConversation.apply(null, arguments); }
  function renderSupervisor() { return PC.renderSupervisor.apply(null, arguments); }
  function report() { return PC.report.apply(null, arguments); }
  function runHooks() { return PC.runHooks.apply(null, arguments); }
  function statusLabel() { return PC.statusLabel.apply(null, arguments); }
  function t() { return PC.t.apply(null, arguments); }
  var tabs = PC.tabs;
  function updateTitle() { return PC.updateTitle.apply(null, arguments); }

  var LIST_PATH = {
    mine: "/agent/conversations?status=mine", team: "/agent/conversations?status=team",
    queue: "/agent/queue", open: "/agent/conversations?status=open",
    offline: "/agent/conversations?status=offline",
    all: "/agent/conversations?status=assigned", closed: "/agent/conversations?status=closed"
  };

  function loadList(tab) {
    if (tab === "all" && !isSupervisor()) return Promise.resolve();
    return api("GET", LIST_PATH[tab]).then(function (r) {
      var list = (r && r.conversations) || [];
      list.forEach(mergeConv);
      var ids = list.map(function (c) { return c.conversation_id; });
      if (S.paged[tab]) {
        // pages loaded further down stay; a refresh only renews the first page
        var fresh = {};
        ids.forEach(function (id) { fresh[id] = 1; });
        S.lists[tab] = ids.concat((S.lists[tab] || []).filter(function (id) {
          return !fresh[id] && S.convs[id] && S.convs[id].status === (LIST_STATUS[tab] || S.convs[id].status);
        }));
      } else {
        S.lists[tab] = ids;
        S.nextBefore[tab] = r && r.next_before;
      }
      S.listLoaded[tab] = true;
      if (tab === "queue") noticeQueue(list);
      if (tab === "mine") list.forEach(function (c) { noticeMine(S.convs[c.conversation_id], S.mineLoaded); });
      if (tab === "mine") S.mineLoaded = true;
      renderCounts();
      if (tab === S.tab) renderList();
      if ((tab === "queue" || tab === "all") && S.page === "supervisor") renderSupervisor();
      updateTitle();
    }).catch(report);
  }

  function loadMore(tab) {
    var before = S.nextBefore[tab];
    if (!before) return;
    api("GET", LIST_PATH[tab] + "&before=" + before).then(function (r) {
      var list = (r && r.conversations) || [];
      list.forEach(mergeConv);
      var have = {};
      S.lists[tab].forEach(function (id) { have[id] = 1; });
      list.forEach(function (c) { if (!have[c.conversation_id]) S.lists[tab].push(c.conversation_id); });
      S.nextBefore[tab] = r && r.next_before;
      S.paged[tab] = true;
      if (tab === S.tab) renderList();
    }).catch(report);
  }
  var LIST_STATUS = {closed: "closed", offline: "offline", open: "open", all: "assigned"};

  function refreshAll() {
    S.listsAt = Date.now();
    ["mine", "team", "queue", "open", "offline"].concat(isSupervisor() ? ["all"] : []).forEach(loadList);
    if (S.tab === "closed") loadList("closed");
  }

  /* A state change arrives as {"type": "conversation", "conversation": <view with rev>} (the
     server's notifier sends it to the agents who may see that conversation): merge it into the
     lists held here, moving it between tabs by status, instead of re-reading any list. */
  var LIST_TABS = ["mine", "team", "queue", "open", "offline", "all", "closed"];

  function tabsOf(c) {    // which lists hold it, as the server builds them
    var me = S.me || {}, teams = me.teams || [], out = {};
    if (c.status === "assigned" && c.agent_id && c.agent_id === me.agent_id) out.mine = 1;
    if (c.status === "assigned" && c.team && teams.indexOf(c.team) >= 0) out.team = 1;
    if (c.status === "queued" && (isSupervisor() || !c.team || teams.indexOf(c.team) >= 0)) out.queue = 1;
    if (c.status === "open") out.open = 1;
    if (c.status === "offline") out.offline = 1;
    if (c.status === "assigned" && isSupervisor()) out.all = 1;
    if (c.status === "closed") out.closed = 1;
    return out;
  }

  function sortList(tab) {
    var at = function (id) { var c = S.convs[id] || {}; return c.updated_at || 0; };
    if (tab !== "queue") { S.lists[tab].sort(function (a, b) { return at(b) - at(a); }); return; }
    var queuedAt = function (id) { var c = S.convs[id] || {}; return (c.attrs && c.attrs.queued_at) || c.updated_at || 0; };
    S.lists.queue.sort(function (a, b) { return queuedAt(a) - queuedAt(b); });
    var n = {};         // places in line, per queue
    S.lists.queue.forEach(function (id) {
      var c = S.convs[id];
      if (!c) return;
      var k = c.team || "_default";
      n[k] = (n[k] || 0) + 1;
      c.queue_position = n[k];
    });
  }

  /* Merge one conversation state; returns it, or null when it is older than the one held (the
     same rev again changes nothing but is applied: the lists it belongs to are recomputed). */
  function applyDelta(c) {
    if (!c || !c.conversation_id) return null;
    var cid = c.conversation_id, old = S.convs[cid];
    if (old && old.rev != null && c.rev != null && c.rev < old.rev) return null;
    var wasQueued = S.lists.queue.indexOf(cid) >= 0;
    var conv = mergeConv(c);
    var want = tabsOf(conv);
    LIST_TABS.forEach(function (tab) {
      var list = S.lists[tab] || (S.lists[tab] = []);
      var i = list.indexOf(cid);
      if (!want[tab] && i >= 0) list.splice(i, 1);
      else if (want[tab]) { if (i < 0) list.unshift(cid); sortList(tab); }
    });
    if (want.queue && !wasQueued && S.knownQueue && !S.knownQueue[cid]) {
      S.knownQueue[cid] = 1;
      S.queueNotified = S.queueNotified || {};
      if (!S.queueNotified[cid] && S.me && S.me.status === "online") { S.queueNotified[cid] = 1; notify(t("new_chat"), visitorLabel(conv)); }
    }
    return conv;
  }

  function renderLists() {
    renderCounts(); renderList(); updateTitle();
    if (S.page === "supervisor") renderSupervisor();
  }

  /* A message for a conversation not held here (it reached us before its state): read that one. */
  function fetchConversation(cid) {
    S.fetching = S.fetching || {};
    if (S.fetching[cid]) return;
    S.fetching[cid] = true;
    api("GET", "/agent/conversations/" + encodeURIComponent(cid)).then(function (r) {
      applyDelta(r && r.conversation);
      renderLists();
    }).catch(function () { /* a later delta brings it */ }).then(function () { delete S.fetching[cid]; });
  }

  /* After a (re)connect: one "what changed since" call instead of re-reading six lists. It starts
     a little before the newest state held (writers' clocks differ by a little; deltas carry rev,
     so seeing one twice is harmless); a status with more than a page asks again, a few times. */
  function resync() {
    if (!S.listsAt) return;
    var since = S.syncedAt ? S.syncedAt - 5000 : S.listsAt - 60000;
    var pages = 0;
    var page = function (from) {
      return api("GET", "/agent/changes?since=" + Math.max(0, Math.floor(from))).then(function (r) {
        (r.conversations || []).forEach(applyDelta);
        if (r.next_since > S.syncedAt) S.syncedAt = r.next_since;
        if (r.has_more && ++pages < 5) return page(r.next_since);
        if (r.has_more) refreshAll();      // far behind: the lists are cheaper
      });
    };
    page(since).then(renderLists).catch(report);
  }

  // While the socket is up every change arrives as a pushed delta (applyDelta) and a reconnect
  // re-syncs with one call (resync); only a socket down for more than 20 s (blocked, or the
  // server unreachable) has the lists refresh themselves every 20 s.
  setInterval(function () {
    if (S.auth && S.me && S.wsState !== "online" && S.wsDownSince && Date.now() - S.wsDownSince > 20000 &&
        document.visibilityState === "visible") refreshAll();
  }, 20000);

  function mergeConv(c) {
    if (!c || !c.conversation_id) return null;
    var old = S.convs[c.conversation_id] || {};
    if (old.rev != null && c.rev != null && c.rev < old.rev) return old;   // an older state
    if (c.updated_at && c.updated_at > S.syncedAt) S.syncedAt = c.updated_at;
    var merged = Object.assign({}, old, c);
    if (old.last_seq && old.last_seq > (c.last_seq || 0)) merged.last_seq = old.last_seq;
    if (old.reads && c.reads) {
      merged.reads = Object.assign({}, old.reads);
      Object.keys(c.reads).forEach(function (k) { merged.reads[k] = Math.max(merged.reads[k] || 0, c.reads[k]); });
    }
    S.convs[c.conversation_id] = merged;
    return merged;
  }

  function unread(c) {
    if (!c || !S.me) return 0;
    var read = (c.reads || {})[S.me.agent_id] || 0;
    return Math.max(0, (c.last_seq || 0) - read);
  }

  function visitorLabel(c) {
    var d = S.details[c.conversation_id];
    var v = (d && d.visitor) || c.visitor || {};
    return v.name || v.email || c.visitor_name || (c.attrs && c.attrs.visitor_name) || (t("anonymous") + " " + String(c.visitor_id || "").slice(-4));
  }

  function matchesFilters(c) {
    var q = $("f-search").value.trim().toLowerCase();
    if (q) {
      var d = S.details[c.conversation_id];
      var v = (d && d.visitor) || {};
      var hay = [visitorLabel(c), v.email, v.name, c.visitor_id, c.conversation_id].join(" ").toLowerCase();
      if (hay.indexOf(q) < 0) return false;
    }
    var ch = $("f-channel").value, team = $("f-team").value, tag = $("f-tag").value;
    if (ch && (c.channel || "web") !== ch) return false;
    if (team && (c.team || c.queue_key || "") !== team) return false;
    if (tag && (c.tags || []).indexOf(tag) < 0) return false;
    return true;
  }

  function fillFilter(select, values) {
    var cur = select.value;
    while (select.options.length > 1) select.remove(1);
    values.sort().forEach(function (v) { select.appendChild(el("option", {value: v, text: v})); });
    select.value = values.indexOf(cur) >= 0 ? cur : "";
  }

  /* One conversation row of the inbox list: a keyboard-operable option that opens it. */
  function convItem(cid, cls, children) {
    var current = cid === S.current;
    return el("li", {role: "option", tabindex: "0", "aria-selected": current ? "true" : "false",
      class: "conv" + (current ? " active" : "") + (cls ? " " + cls : ""), dataset: {cid: cid},
      onclick: function () { openConversation(cid); },
      onkeydown: function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openConversation(cid); } }
    }, children);
  }

  function renderList() {
    var ids = S.lists[S.tab] || [];
    var all = ids.map(function (id) { return S.convs[id]; }).filter(Boolean);
    var channels = {}, teams = {}, tags = {};
    all.forEach(function (c) {
      channels[c.channel || "web"] = 1;
      if (c.team || c.queue_key) teams[c.team || c.queue_key] = 1;
      (c.tags || []).forEach(function (x) { tags[x] = 1; });
    });
    fillFilter($("f-channel"), Object.keys(channels));
    fillFilter($("f-team"), Object.keys(teams));
    fillFilter($("f-tag"), Object.keys(tags));
    var list = $("conv-list");
    var kept = focusedItem(list);
    clear(list);
    var shown = all.filter(matchesFilters);
    shown.forEach(function (c) {
      var n = S.tab === "queue" ? 0 : unread(c);   // queued chats are not ours to read yet
      var meta = [];
      if (S.tab === "queue") {
        var since = (c.attrs && c.attrs.queued_at) || (c.waiting_ms ? Date.now() - c.waiting_ms : c.updated_at);
        meta.push(el("span", {class: "pos", text: t("position", {n: c.queue_position || "?"})}));
        meta.push(el("span", {class: "wait", "data-since": since, text: t("waiting_for", {t: fmtDuration(Date.now() - since)})}));
      } else {
        meta.push(el("span", {class: "time", text: fmtTime(c.last_message_at || c.updated_at)}));
      }
      if (c.team || c.queue_key) meta.push(el("span", {class: "chip", text: c.team || c.queue_key}));
      (c.tags || []).slice(0, 3).forEach(function (x) { meta.push(el("span", {class: "chip tag", text: x})); });
      var li = convItem(c.conversation_id, n ? "has-unread" : "", [
        el("div", {class: "row spread"}, [
          el("strong", {class: "who", text: visitorLabel(c)}),
          n ? el("span", {class: "unread", "aria-label": t("unread", {n: n}), text: String(n)}) : null
        ]),
        el("div", {class: "meta"}, meta),
        S.tab === "queue" ? el("button", {type: "button", class: "small primary accept-btn", text: t("accept"),
          onclick: function (e) { e.stopPropagation(); accept(c.conversation_id); }}) : null
      ]);
      runHooks("item", c, li);
      list.appendChild(li);
    });
    if (S.nextBefore[S.tab] && LIST_PATH[S.tab].indexOf("status=") >= 0) {
      var tab = S.tab;
      list.appendChild(el("li", {class: "more", role: "presentation"}, [el("button", {type: "button", class: "link", text: t("load_more"),
        onclick: function () { loadMore(tab); }})]));
    }
    if (!renderLookup(list, shown) && !shown.length) list.appendChild(el("li", {class: "none", text: t("no_conversations")}));
    refocus(list, kept);
  }

  /* A pushed change redraws the list: the keyboard's focus stays on the same chat (its item,
     or its Accept button), so an Enter pressed right after a push still opens it. */
  function focusedItem(list) {
    var a = document.activeElement;
    var li = a && list.contains(a) && a.closest ? a.closest("li.conv") : null;
    return li ? {cid: li.dataset.cid, accept: a.classList.contains("accept-btn")} : null;
  }

  function refocus(list, kept) {
    if (!kept) return;
    var items = list.querySelectorAll("li.conv");
    for (var i = 0; i < items.length; i++) {
      if (items[i].dataset.cid !== kept.cid) continue;
      var target = kept.accept ? items[i].querySelector(".accept-btn") || items[i] : items[i];
      target.focus();
      return;
    }
  }

  /* The server-side lookup (GET /agent/visitors): visitors by name or email prefix across every
     conversation, not only the lists loaded here; shown under the local matches. */
  function renderLookup(list, shown) {
    var q = $("f-search").value.trim();
    var found = S.lookup;
    if (!q || !found || found.q !== q) return false;
    var have = {};
    shown.forEach(function (c) { have[c.conversation_id] = 1; });
    var items = [];
    found.results.forEach(function (r) {
      var v = r.visitor || {};
      var who = v.name || v.email || (t("anonymous") + " " + String(v.visitor_id || "").slice(-4));
      (r.conversations || []).forEach(function (c) {
        if (have[c.conversation_id]) return;
        have[c.conversation_id] = 1;
        items.push(convItem(c.conversation_id, "found", [
          el("div", {class: "row spread"}, [el("strong", {class: "who", text: who})]),
          el("div", {class: "meta"}, [
            v.name && v.email ? el("span", {class: "email", text: v.email}) : null,
            el("span", {class: "chip", text: statusLabel(c.status)}),
            el("span", {class: "time", text: fmtTime(c.last_message_at || c.updated_at || c.created_at)})
          ])
        ]));
      });
    });
    if (!items.length && shown.length) return false;
    list.appendChild(el("li", {class: "section", role: "presentation", text: items.length ? t("lookup_more") : t("lookup_none")}));
    items.forEach(function (li) { list.appendChild(li); });
    return true;
  }

  var lookupTimer = null;
  function lookupSoon() {
    clearTimeout(lookupTimer);
    var q = $("f-search").value.trim();
    if (q.length < 2) { S.lookup = null; return; }
    lookupTimer = setTimeout(function () {
      api("GET", "/agent/visitors?q=" + encodeURIComponent(q.slice(0, 100))).then(function (r) {
        if ($("f-search").value.trim() !== q) return;   // typed on meanwhile
        S.lookup = {q: q, results: r.results || []};
        renderList();
      }).catch(report);
    }, 250);
  }

  function renderCounts() {
    ["mine", "team", "queue", "open", "offline", "all"].forEach(function (k) {
      var n = document.querySelector("[data-count='" + k + "']");
      if (n) n.textContent = (S.lists[k] || []).length ? "(" + S.lists[k].length + ")" : "";
    });
  }

  document.querySelectorAll("#tabs [data-tab]").forEach(function (b) {
    b.addEventListener("click", function () { selectTab(b.getAttribute("data-tab")); });
    b.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      var tabs = Array.prototype.filter.call(document.querySelectorAll("#tabs [data-tab]"), function (x) { return !x.hidden; });
      var i = tabs.indexOf(b) + (e.key === "ArrowRight" ? 1 : -1);
      var next = tabs[(i + tabs.length) % tabs.length];
      next.focus(); selectTab(next.getAttribute("data-tab"));
    });
  });

  function selectTab(tab) {
    S.tab = tab;
    document.querySelectorAll("#tabs [data-tab]").forEach(function (b) {
      var on = b.getAttribute("data-tab") === tab;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    });
    renderList();
    if (!S.listLoaded[tab] || S.wsState !== "online") loadList(tab);
  }

  ["f-search", "f-channel", "f-team", "f-tag"].forEach(function (id) {
    $(id).addEventListener("input", renderList);
  });
  $("f-search").addEventListener("input", lookupSoon);

  setInterval(function () {   // waiting times tick
    document.querySelectorAll("[data-since]").forEach(function (n) {
      n.textContent = t("waiting_for", {t: fmtDuration(Date.now() - Number(n.getAttribute("data-since")))});
    });
  }, 1000);

  /* one notification per conversation newly assigned to me (by event or by a list refresh,
     whichever comes first); the first load of "Mine" only records what is already there */
  function noticeMine(conv, announce) {
    if (!conv || !S.me || conv.agent_id !== S.me.agent_id || conv.status !== "assigned") return;
    S.mineSeen = S.mineSeen || {};
    var key = conv.conversation_id + ":" + ((conv.attrs && conv.attrs.assigned_at) || "");
    if (S.mineSeen[conv.conversation_id] === key) return;
    var first = !(conv.conversation_id in S.mineSeen);
    S.mineSeen[conv.conversation_id] = key;
    if (announce && first && S.current !== conv.conversation_id) {
      notify(t((conv.attrs && conv.attrs.assign_kind) === "transferred" ? "transferred_to_you" : "assigned_to_you"), visitorLabel(conv));
    }
  }

  function noticeQueue(list) {
    var ids = list.map(function (c) { return c.conversation_id; });
    if (S.knownQueue) {
      S.queueNotified = S.queueNotified || {};
      var fresh = ids.filter(function (id) { return !S.knownQueue[id] && !S.queueNotified[id]; });
      fresh.forEach(function (id) { S.queueNotified[id] = 1; });
      if (fresh.length && S.me && S.me.status === "online") notify(t("new_chat"), visitorLabel(S.convs[fresh[0]]));
    }
    S.knownQueue = {};
    ids.forEach(function (id) { S.knownQueue[id] = 1; });
  }


  Object.assign(PC, {
    LIST_PATH: LIST_PATH,
    loadList: loadList,
    loadMore: loadMore,
    LIST_STATUS: LIST_STATUS,
    refreshAll: refreshAll,
    LIST_TABS: LIST_TABS,
    tabsOf: tabsOf,
    sortList: sortList,
    applyDelta: applyDelta,
    renderLists: renderLists,
    fetchConversation: fetchConversation,
    resync: resync,
    mergeConv: mergeConv,
    unread: unread,
    visitorLabel: visitorLabel,
    matchesFilters: matchesFilters,
    fillFilter: fillFilter,
    convItem: convItem,
    renderList: renderList,
    renderLookup: renderLookup,
    lookupTimer: lookupTimer,
    lookupSoon: lookupSoon,
    renderCounts: renderCounts,
    selectTab: selectTab,
    noticeMine: noticeMine,
    noticeQueue: noticeQueue
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
