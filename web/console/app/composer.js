/* Parley console (composer.js): the composer: sending, attachments, canned responses, typing.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  function $() { return PC.$.apply(null, arguments); }
  var S = PC.S;
  function addMessages() { return PC.addMessages.apply(null, arguments); }
  function api() { return PC.api.apply(null, arguments); }
  function clear() { return PC.clear.apply(null, arguments); }
  function el() { return PC.el.apply(null, arguments); }
  function lastSeq() { return PC.lastSeq.apply(null, arguments); }
  function renderList() { return PC.renderList.apply(null, arguments); }
  function renderLog() { return PC.renderLog.apply(null, arguments); }
  function report() { return PC.report.apply(null, arguments); }
  function uid() { return PC.uid.apply(null, arguments); }
  function updateTitle() { return PC.updateTitle.apply(null, arguments); }
  function wsSend() { return PC.wsSend.apply(null, arguments); }

  var input = $("input");

  function sendCurrent() {
    var cid = S.current;
    var text = input.value;
    if (!cid || !text.trim()) return;
    var exact = cannedFor(text.trim());
    if (exact && text.trim() === exact.shortcut) { insertCanned(exact); return; }
    var body = {client_message_id: uid(), text: text};
    if ($("note").checked) body.note = true;
    input.value = "";
    hideSuggest();
    sendTyping(false);
    postMessage(cid, body).catch(function (e) { input.value = text; report(e); });
  }

  function postMessage(cid, body) {
    return api("POST", "/agent/conversations/" + encodeURIComponent(cid) + "/messages", body).then(function (r) {
      if (r && r.message) {
        addMessages(cid, [r.message]);
        var c = S.convs[cid];
        if (c) { c.reads = c.reads || {}; c.reads[S.me.agent_id] = Math.max(c.reads[S.me.agent_id] || 0, r.message.seq); }
        if (cid === S.current) renderLog(true);
      }
    });
  }

  $("composer").addEventListener("submit", function (e) { e.preventDefault(); sendCurrent(); });

  input.addEventListener("keydown", function (e) {
    var sug = $("canned-suggest");
    if (!sug.hidden && (e.key === "Tab" || e.key === "ArrowDown" || e.key === "ArrowUp" || e.key === "Escape")) {
      var items = Array.prototype.slice.call(sug.children);
      var i = items.findIndex(function (x) { return x.getAttribute("aria-selected") === "true"; });
      if (e.key === "Escape") { hideSuggest(); e.preventDefault(); return; }
      if (e.key === "Tab") { e.preventDefault(); var pick = S.canned.filter(function (c) { return c.shortcut === items[Math.max(0, i)].dataset.shortcut; })[0]; if (pick) insertCanned(pick); return; }
      e.preventDefault();
      i = (i + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach(function (x, j) { x.setAttribute("aria-selected", j === i ? "true" : "false"); });
      return;
    }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); sendCurrent(); return; }
    if (e.key === "Enter" && !e.shiftKey && !e.altKey && !e.isComposing) { e.preventDefault(); sendCurrent(); }
  });

  input.addEventListener("input", function () {
    showSuggest(input.value);
    if (input.value) sendTyping(true);
  });
  input.addEventListener("blur", function () { sendTyping(false); });

  function cannedFor(text) {
    var s = text.toLowerCase();
    return S.canned.filter(function (c) { return c.shortcut.toLowerCase() === s; })[0];
  }

  function showSuggest(text) {
    var sug = $("canned-suggest");
    var m = /^\/(\S*)$/.exec(text);
    var exactWithSpace = /^(\/\S+) $/.exec(text);
    if (exactWithSpace && cannedFor(exactWithSpace[1])) { insertCanned(cannedFor(exactWithSpace[1])); return; }
    if (!m) return hideSuggest();
    var list = S.canned.filter(function (c) { return c.shortcut.toLowerCase().indexOf(text.toLowerCase()) === 0; }).slice(0, 8);
    if (!list.length) return hideSuggest();
    clear(sug);
    list.forEach(function (c, i) {
      sug.appendChild(el("li", {role: "option", "aria-selected": i === 0 ? "true" : "false", dataset: {shortcut: c.shortcut},
        onmousedown: function (e) { e.preventDefault(); insertCanned(c); }},
        [el("strong", {text: c.shortcut}), " ", el("span", {text: c.text.slice(0, 80)})]));
    });
    sug.hidden = false;
  }

  function hideSuggest() { $("canned-suggest").hidden = true; }

  function insertCanned(c) {
    input.value = c.text;
    hideSuggest();
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  function loadCanned() {
    api("GET", "/agent/canned").then(function (r) { S.canned = (r && r.canned) || []; }).catch(function () { S.canned = []; });
  }

  function sendTyping(state) {
    var cid = S.current;
    if (!cid || !S.ws || S.ws.readyState !== 1) return;
    var now = Date.now();
    if (state && now - S.lastTypingSent < 3000) return;
    if (!state && !S.lastTypingSent) return;
    S.lastTypingSent = state ? now : 0;
    wsSend({action: "typing", conversation_id: cid, data: {state: state}});
  }

  $("file").addEventListener("change", function () {
    var f = this.files && this.files[0];
    var cid = S.current;
    this.value = "";
    if (!f || !cid) return;
    api("POST", "/agent/conversations/" + encodeURIComponent(cid) + "/attachments",
      {name: f.name, content_type: f.type || "application/octet-stream", size: f.size}).then(function (r) {
      var form = new FormData();
      Object.keys(r.upload.fields || {}).forEach(function (k) { form.append(k, r.upload.fields[k]); });
      form.append("file", f);
      return fetch(r.upload.url, {method: "POST", body: form}).then(function (resp) {
        if (!resp.ok && resp.status !== 204) throw new Error("Upload failed (" + resp.status + ")");
        return postMessage(cid, {client_message_id: uid(), attachment: r.attachment});
      });
    }).catch(report);
  });

  function markRead() {
    var cid = S.current;
    var c = S.convs[cid];
    if (!cid || !c || document.hidden || S.page !== "inbox") return;
    var seq = lastSeq(cid);
    var mine = (c.reads || {})[S.me.agent_id] || 0;
    if (!seq || seq <= mine) return;
    c.reads = c.reads || {};
    c.reads[S.me.agent_id] = seq;
    if (S.ws && S.ws.readyState === 1) wsSend({action: "read", conversation_id: cid, data: {seq: seq}});
    else api("POST", "/agent/conversations/" + encodeURIComponent(cid) + "/read", {seq: seq}).catch(function () {});
    renderList();
    updateTitle();
  }

  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("focus", markRead);


  Object.assign(PC, {
    input: input,
    sendCurrent: sendCurrent,
    postMessage: postMessage,
    cannedFor: cannedFor,
    showSuggest: showSuggest,
    hideSuggest: hideSuggest,
    insertCanned: insertCanned,
    loadCanned: loadCanned,
    sendTyping: sendTyping,
    markRead: markRead
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
