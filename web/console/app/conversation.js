/* Parley console (conversation.js): the open conversation: log, header, visitor panel and the actions on it.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  function $() { return PC.$.apply(null, arguments); }
  var S = PC.S;
  function api() { return PC.api.apply(null, arguments); }
  function applyDelta() { return PC.applyDelta.apply(null, arguments); }
  function clear() { return PC.clear.apply(null, arguments); }
  function el() { return PC.el.apply(null, arguments); }
  function fmtTime() { return PC.fmtTime.apply(null, arguments); }
  function isSupervisor() { return PC.isSupervisor.apply(null, arguments); }
  function markRead() { return PC.markRead.apply(null, arguments); }
  function mergeConv() { return PC.mergeConv.apply(null, arguments); }
  function renderList() { return PC.renderList.apply(null, arguments); }
  function renderLists() { return PC.renderLists.apply(null, arguments); }
  function report() { return PC.report.apply(null, arguments); }
  function runHooks() { return PC.runHooks.apply(null, arguments); }
  function selectTab() { return PC.selectTab.apply(null, arguments); }
  function showPage() { return PC.showPage.apply(null, arguments); }
  function statusLabel() { return PC.statusLabel.apply(null, arguments); }
  function syncConversation() { return PC.syncConversation.apply(null, arguments); }
  function t() { return PC.t.apply(null, arguments); }
  function toast() { return PC.toast.apply(null, arguments); }
  function visitorLabel() { return PC.visitorLabel.apply(null, arguments); }

  function openConversation(cid) {
    S.current = cid;
    if (S.page !== "inbox") showPage("inbox");
    $("conv-empty").hidden = true;
    $("conv-view").hidden = false;
    renderList();
    renderHeader();
    clear($("log"));
    clear($("typing"));
    renderVisitor();
    var have = S.loaded[cid];   // live events may have filled part of the store: load the page once
    var p1 = api("GET", "/agent/conversations/" + encodeURIComponent(cid)).then(function (r) {
      mergeConv(r.conversation);
      S.details[cid] = {visitor: r.visitor, previous: r.previous_conversations || []};
      if (S.current === cid) { renderHeader(); renderVisitor(); renderList(); }
    });
    var p2 = have ? syncConversation(cid) : api("GET", "/agent/conversations/" + encodeURIComponent(cid) + "/messages?limit=50").then(function (r) {
      addMessages(cid, r.messages || []);
      examinedTail(cid, r);
      S.loaded[cid] = true;
      S.hasMore[cid] = !!r.has_more;
      if (r.conversation) mergeConv(r.conversation);
      return syncConversation(cid);   // anything newer than the page (gapless)
    });
    renderLog(true);
    Promise.all([p1, p2]).then(function () {
      if (S.current === cid) { renderLog(true); markRead(); }
    }).catch(report);
    $("input").focus();
  }

  function addMessages(cid, list) {
    var store = S.msgs[cid] = S.msgs[cid] || {};
    var added = 0;
    list.forEach(function (m) {
      if (!store[m.seq]) added++;
      store[m.seq] = m;                  // dedupe by seq
      if (S.firstSeq[cid] === undefined || m.seq < S.firstSeq[cid]) S.firstSeq[cid] = m.seq;
      var c = S.convs[cid];
      if (c && m.seq > (c.last_seq || 0)) c.last_seq = m.seq;
    });
    fillUp(cid);
    return added;
  }

  // Catch-up (docs/websocket-protocol.md): a message arriving alone (push, REST send reply)
  // closes no gap below it; only the next seq moves the marker, or a sync reply that
  // examined everything from it up to its cursor.
  function fillUp(cid) {
    var store = S.msgs[cid] || {};
    if (S.synced[cid] === undefined) return;
    while (store[S.synced[cid] + 1]) S.synced[cid]++;
    if (lastSeq(cid) > S.synced[cid] && !S.gapTimers[cid]) {
      S.gapTimers[cid] = setTimeout(function () {
        delete S.gapTimers[cid];
        if (lastSeq(cid) > S.synced[cid]) syncConversation(cid, undefined, true);
      }, 1500);
    }
  }

  function examined(cid, after, cursor) {
    if (S.synced[cid] === undefined || after === undefined || after > S.synced[cid]) return;
    if (cursor > S.synced[cid]) S.synced[cid] = cursor;
    fillUp(cid);
  }

  // the latest page examined first_seq..cursor: it joins what we hold if it reaches down to it
  function examinedTail(cid, r) {
    var mark = S.synced[cid] || 0;
    if (r.cursor === null || r.cursor === undefined) { if (S.synced[cid] === undefined) S.synced[cid] = 0; fillUp(cid); return; }
    if (!mark || r.first_seq === null || r.first_seq === undefined || r.first_seq <= mark + 1) {
      S.synced[cid] = Math.max(mark, r.cursor);
    }
    fillUp(cid);
  }

  function lastSeq(cid) {
    var keys = Object.keys(S.msgs[cid] || {}).map(Number);
    return keys.length ? Math.max.apply(null, keys) : 0;
  }

  function eventText(m) {
    var e = m.event || {};
    var agent = e.agent_name || e.agent || e.to_agent_name || "";
    switch (e.kind) {
      case "joined": return t("ev_joined", {agent: agent});
      case "left": return t("ev_left", {agent: agent});
      case "transferred":
        if (e.reason === "overflow") return t("ev_overflow", {target: e.team || e.to_team || "", from: e.from_team || ""});
        return t("ev_transferred", {target: e.agent_name || e.to_agent_name || e.to_team || e.team || e.to_agent_id || ""});
      case "closed": return t("ev_closed");
      case "queued": return t("ev_queued");
      case "assigned": return t("ev_assigned", {agent: agent});
      case "reopened": return t("ev_reopened", {agent: agent});
      case "rated": return t("ev_rated", {score: e.score}) + (m.text ? " — " + m.text : "");
      case "offline": return t(e.reason === "left_message" ? "ev_offline" : "ev_offline_offered_" +
        (["closed", "no_agents", "timeout"].indexOf(e.reason) >= 0 ? e.reason : "other"));
      case "handoff": return t("ev_handoff");
      default: return t("ev_other", {kind: e.kind || "?"});
    }
  }

  function renderMessage(m) {
    var who = m.sender || {};
    var mine = who.type === "agent" && S.me && who.id === S.me.agent_id;
    if (m.type === "event") {
      return el("li", {class: "msg event", dataset: {seq: m.seq, kind: (m.event || {}).kind || ""}}, [
        el("span", {text: eventText(m)}), el("time", {text: fmtTime(m.created_at)})]);
    }
    var cls = "msg " + (who.type || "system") + (mine ? " mine" : "") + (m.type === "note" ? " note" : "");
    var body = el("div", {class: "bubble"});
    if (m.type === "note") body.appendChild(el("span", {class: "note-badge", text: t("note_badge")}));
    if (m.text) body.appendChild(el("div", {class: "text", text: m.text}));
    if (m.attachment) {
      var a = m.attachment;
      var link = el("a", {href: a.url || "#", target: "_blank", rel: "noopener noreferrer", class: "attachment"});
      if (a.url && /^image\//.test(a.content_type || "")) link.appendChild(el("img", {src: a.url, alt: a.name || "", loading: "lazy"}));
      link.appendChild(el("span", {text: (a.name || "file") + (a.size ? " (" + Math.ceil(a.size / 1024) + " KB)" : "")}));
      body.appendChild(link);
    }
    if (m.extra && m.extra.suggestions && m.extra.suggestions.length) {
      body.appendChild(el("div", {class: "suggestions"}, m.extra.suggestions.map(function (s) {
        return el("span", {class: "chip", text: typeof s === "string" ? s : (s.question || s.text || "")});
      })));
    }
    var name = mine ? t("you") : (who.type === "bot" ? (who.name || t("bot")) : (who.type === "visitor" ? visitorLabel(S.convs[m.conversation_id] || {}) : (who.name || who.type)));
    return el("li", {class: cls, dataset: {seq: m.seq}}, [
      el("div", {class: "from"}, [el("span", {text: name}), el("time", {text: fmtTime(m.created_at)})]),
      body
    ]);
  }

  function renderLog(scroll) {
    var cid = S.current;
    if (!cid) return;
    var log = $("log");
    var wrap = log.parentNode;
    var atBottom = wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 40;
    clear(log);
    var seqs = Object.keys(S.msgs[cid] || {}).map(Number).sort(function (a, b) { return a - b; });
    var c = S.convs[cid] || {};
    var seenSeq = (c.reads || {}).visitor || 0;
    var lastMine = 0;
    seqs.forEach(function (s) {
      var m = S.msgs[cid][s];
      if (m.sender && m.sender.type === "agent" && m.type !== "note" && s <= seenSeq) lastMine = s;
    });
    seqs.forEach(function (s) {
      var li = renderMessage(S.msgs[cid][s]);
      runHooks("message", S.msgs[cid][s], li, c);
      if (s === lastMine) li.appendChild(el("div", {class: "seen", text: t("seen")}));
      log.appendChild(li);
    });
    $("load-earlier").hidden = !(S.hasMore[cid]);
    if (scroll || atBottom) wrap.scrollTop = wrap.scrollHeight;
  }

  $("load-earlier").addEventListener("click", function () {
    var cid = S.current;
    var before = S.firstSeq[cid];
    if (!cid || !before) return;
    var wrap = $("log").parentNode;
    var h = wrap.scrollHeight;
    api("GET", "/agent/conversations/" + encodeURIComponent(cid) + "/messages?before=" + before + "&limit=50").then(function (r) {
      addMessages(cid, r.messages || []);
      S.hasMore[cid] = !!r.has_more;
      renderLog(false);
      wrap.scrollTop = wrap.scrollHeight - h;
    }).catch(report);
  });

  function renderHeader() {
    var c = S.convs[S.current];
    if (!c) return;
    $("conv-title").textContent = visitorLabel(c);
    $("conv-status").textContent = statusLabel(c.status);
    $("conv-status").className = "badge " + (c.status || "");
    var tags = clear($("conv-tags"));
    (c.tags || []).forEach(function (x) {
      tags.appendChild(el("span", {class: "chip tag"}, [x, el("button", {type: "button", class: "x", "aria-label": t("remove_tag", {t: x}), text: "×",
        onclick: function () { setTags(c.conversation_id, [], [x]); }})]));
    });
    tags.appendChild(el("input", {class: "tag-input", type: "text", maxlength: "40", placeholder: "+ " + t("add_tag"), "aria-label": t("add_tag"),
      onkeydown: function (e) { if (e.key === "Enter" && e.target.value.trim()) { e.preventDefault(); setTags(c.conversation_id, [e.target.value.trim()], []); } }}));
    if (c.attrs && c.attrs.rating) tags.appendChild(el("span", {class: "chip rating", text: t("rating") + ": " + "★".repeat(c.attrs.rating.score || 0)}));
    var me = S.me ? S.me.agent_id : null;
    var mineConv = c.agent_id === me;
    var participant = mineConv || (c.participants || []).indexOf(me) >= 0;
    // the same rules as the server's (chalicelib/domain/permissions.py); the server decides
    var assigned = c.status === "assigned", closed = c.status === "closed";
    var canWrite = !closed && (isSupervisor() || (assigned ? mineConv : participant));
    var show = {
      accept: ["queued", "open", "new", "offline"].indexOf(c.status) >= 0,
      join: !closed && !participant && (isSupervisor() || !assigned),
      leave: !closed && participant && !mineConv,
      transfer: assigned && (mineConv || isSupervisor()),
      reassign: assigned && isSupervisor(),
      close: !closed && (isSupervisor() || (assigned ? mineConv : true)),
      reopen: closed && (isSupervisor() || !c.agent_id || mineConv)
    };
    document.querySelectorAll("#conv-actions [data-act]").forEach(function (b) { b.hidden = !show[b.getAttribute("data-act")]; });
    $("input").disabled = !canWrite;
    $("input").placeholder = closed ? t("closed_ph") : canWrite ? t("composer_ph") : t("read_only_ph");
    // the header's extensions are drawn again on every change of the chat (a pushed delta):
    // keyboard focus inside them stays on the control with the same id
    var ext = $("conv-ext"), active = document.activeElement;
    var keep = active && active.id && ext.contains(active) ? active.id : null;
    runHooks("header", c, clear(ext));
    var again = keep ? document.getElementById(keep) : null;
    if (again && again !== document.activeElement) again.focus();
  }

  function renderVisitor() {
    var panel = clear($("visitor-panel"));
    var c = S.convs[S.current];
    if (!c) return;
    var d = S.details[S.current] || {};
    var v = d.visitor || {};
    function row(label, value, isLink) {
      if (value === undefined || value === null || value === "") return null;
      var val = isLink && /^https?:\/\//i.test(value) ? el("a", {href: value, target: "_blank", rel: "noopener noreferrer", text: value}) : el("span", {text: String(value)});
      return el("div", {class: "kv"}, [el("dt", {text: label}), el("dd", {}, [val])]);
    }
    panel.appendChild(el("h2", {text: v.name || v.email || t("anonymous")}));
    panel.appendChild(el("p", {class: "muted", text: (v.visits || 1) > 1 ? t("returning", {n: v.visits}) : t("new_visitor")}));
    panel.appendChild(el("dl", {}, [
      row(t("email"), v.email), row(t("site"), v.site_key || c.site_key), row(t("page"), v.page_url, true),
      row(t("referrer"), v.referrer, true), row(t("device"), device(v.user_agent)), row(t("language"), v.locale),
      row(t("channel"), c.channel), row(t("department"), deptName(c.attrs || {}))
    ]));
    if (v.attributes) {
      panel.appendChild(el("dl", {class: "attrs"}, Object.keys(v.attributes).map(function (k) { return row(k, v.attributes[k]); })));
    }
    if (v.visitor_id) {
      var tagsIn = el("input", {type: "text", id: "v-tags", value: (v.tags || []).join(", "), "aria-label": t("tags_label")});
      var notes = el("textarea", {id: "v-notes", rows: "4", maxlength: "5000", "aria-label": t("notes"), value: v.notes || ""});
      notes.value = v.notes || "";
      panel.appendChild(el("label", {}, [el("span", {text: t("tags_label")}), tagsIn]));
      panel.appendChild(el("label", {}, [el("span", {text: t("notes")}), notes]));
      panel.appendChild(el("button", {type: "button", text: t("save"), onclick: function () {
        var tags = tagsIn.value.split(",").map(function (x) { return x.trim(); }).filter(Boolean);
        api("PATCH", "/agent/visitors/" + encodeURIComponent(v.visitor_id), {notes: notes.value, tags: tags}).then(function (r) {
          if (r && r.visitor) d.visitor = r.visitor;
          toast(t("saved"));
        }).catch(report);
      }}));
    }
    var prev = d.previous || [];
    if (prev.length) {
      panel.appendChild(el("h3", {text: t("previous")}));
      panel.appendChild(el("ul", {class: "prev"}, prev.map(function (p) {
        mergeConv(p);
        return el("li", {}, [el("button", {type: "button", class: "link", text: fmtTime(p.created_at) + " · " + statusLabel(p.status),
          onclick: function () { openConversation(p.conversation_id); }})]);
      })));
    }
    runHooks("visitor", c, panel, d);
  }

  // the department the visitor chose (its name as it was then, in the console's language)
  function deptName(a) {
    var n = a.department_name || {};
    return a.department ? (n[PC.getLang() === "zh" ? "zh" : "en"] || n.en || n.zh || a.department) : null;
  }

  function device(ua) {
    if (!ua) return "";
    var os = /Windows/.test(ua) ? "Windows" : /iPhone|iPad/.test(ua) ? "iOS" : /Android/.test(ua) ? "Android" :
      /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
    var br = /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Firefox\//.test(ua) ? "Firefox" :
      /Safari\//.test(ua) ? "Safari" : "";
    var kind = /Mobi|iPhone|Android/.test(ua) ? "mobile" : "desktop";
    return [br, os, kind].filter(Boolean).join(" · ") || ua.slice(0, 60);
  }

  function act(cid, path, body) {
    return api("POST", "/agent/conversations/" + encodeURIComponent(cid) + path, body || {}).then(function (r) {
      if (r && r.conversation) applyDelta(r.conversation);
      if (cid === S.current) { renderHeader(); syncConversation(cid); }
      renderLists();
      return r;
    });
  }

  function accept(cid) {
    return act(cid, "/accept").then(function () {
      selectTab("mine");
      openConversation(cid);
    }).catch(report);
  }

  function setTags(cid, add, remove) {
    act(cid, "/tags", {add: add, remove: remove}).catch(report);
  }

  document.querySelectorAll("#conv-actions [data-act]").forEach(function (b) {
    b.addEventListener("click", function () { doAction(b.getAttribute("data-act")); });
  });

  function doAction(name) {
    var cid = S.current;
    if (!cid) return;
    if (name === "accept") return accept(cid);
    if (name === "join") return act(cid, "/join").catch(report);
    if (name === "leave") return act(cid, "/leave").catch(report);
    if (name === "close") return act(cid, "/close").catch(report);
    if (name === "reopen") return act(cid, "/reopen").catch(report);
    if (name === "transfer" || name === "reassign") return openTransfer(name);
  }

  var transferMode = "transfer";
  function openTransfer(mode) {
    transferMode = mode;
    $("transfer-error").textContent = "";
    $("transfer-team").value = "";
    $("transfer-note").value = "";
    $("transfer-team").parentNode.hidden = mode === "reassign";
    $("transfer-note").parentNode.hidden = mode === "reassign";
    $("transfer-title").textContent = t(mode);
    var sel = $("transfer-agent");
    while (sel.options.length > 1) sel.remove(1);
    var fill = function (agents) {
      agents.filter(function (a) { return a.agent_id !== (S.me && S.me.agent_id); }).forEach(function (a) {
        sel.appendChild(el("option", {value: a.agent_id, text: (a.name || a.email) + " · " + t(a.status || "offline") +
          " · " + (a.active_count || 0) + "/" + (a.capacity || 0)}));
      });
    };
    api("GET", "/agent/agents").then(function (r) { fill(r.agents || []); }).catch(function () {
      fill(S.agents || []);  // offline or failing: fall back to the last known list
    });
    $("transfer-dlg").showModal();
    sel.focus();
  }

  $("transfer-cancel").addEventListener("click", function () { $("transfer-dlg").close(); });
  $("transfer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var agent = $("transfer-agent").value, team = $("transfer-team").value.trim(), note = $("transfer-note").value.trim();
    var body;
    if (transferMode === "reassign") body = {agent_id: agent};
    else {
      body = agent ? {agent_id: agent} : {team: team};
      if (note) body.note = note;
    }
    act(S.current, "/" + transferMode, body).then(function () { $("transfer-dlg").close(); })
      .catch(function (err) { $("transfer-error").textContent = err.message; });
  });


  Object.assign(PC, {
    openConversation: openConversation,
    addMessages: addMessages,
    fillUp: fillUp,
    examined: examined,
    examinedTail: examinedTail,
    lastSeq: lastSeq,
    eventText: eventText,
    renderMessage: renderMessage,
    renderLog: renderLog,
    renderHeader: renderHeader,
    renderVisitor: renderVisitor,
    device: device,
    act: act,
    accept: accept,
    setTags: setTags,
    doAction: doAction,
    transferMode: transferMode,
    openTransfer: openTransfer
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
