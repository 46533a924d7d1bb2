/* Parley console: live supervision in the inbox (docs/qa.md). Supervisors and admins get,
 * under the open conversation's buttons: a read-only live view (watch / stop), a whisper box
 * (a message to the agents that the visitor never receives) and a take-over (barge-in).
 * Whispers are rendered distinctly from private notes for everyone who sees them.
 * Plugs in through window.ParleyConsole.ext.inbox (console.js); every server value is set
 * with textContent (the el() helper), never as HTML. */
const P = window.ParleyConsole;
const X = P && P.ext;

const EN = {
  sv_watch: "Watch live", sv_unwatch: "Stop watching", sv_watching: "Watching live",
  sv_whisper: "Whisper", sv_whisper_ph: "Whisper to the agent (the visitor never sees it)",
  sv_whisper_label: "Whisper to the agent", sv_barge: "Take over", sv_keep: "Keep the agent in the chat",
  sv_confirm_barge: "Take over this conversation? The visitor is told that you are now answering.",
  sv_whisper_badge: "Whisper from {n} (agents only)", sv_sent: "Whisper sent", sv_taken: "You now hold this conversation",
  "act_conversation.whispered": "Supervisor whispered", "act_conversation.barged_in": "Supervisor took over",
  "act_conversation.watched": "Supervisor watched live"
};
const ZH = {
  sv_watch: "实时监听", sv_unwatch: "停止监听", sv_watching: "正在实时监听",
  sv_whisper: "悄悄话", sv_whisper_ph: "对客服说悄悄话(访客永远看不到)",
  sv_whisper_label: "对客服说悄悄话", sv_barge: "接管会话", sv_keep: "保留原客服在会话中",
  sv_confirm_barge: "接管此会话?访客会看到由您继续接待。",
  sv_whisper_badge: "{n} 的悄悄话(仅客服可见)", sv_sent: "悄悄话已发送", sv_taken: "您已接管此会话",
  "act_conversation.whispered": "主管悄悄话", "act_conversation.barged_in": "主管接管会话",
  "act_conversation.watched": "主管实时监听"
};

const watching = {};          // conversation id -> watch expiry (ms)
let renewTimer = null;

function isSupervisor() {
  const me = P.me();
  return !!me && (me.role === "supervisor" || me.role === "admin");
}

function path(cid, tail) {
  return "/agent/conversations/" + encodeURIComponent(cid) + tail;
}

function setWatch(cid, on) {
  return X.api("POST", path(cid, "/watch"), {watch: on}).then(function (r) {
    if (on) watching[cid] = r.watching_until; else delete watching[cid];
    X.inbox.refresh();
    return r;
  });
}

// a live view lasts 30 minutes on the server: renew the open one every 10 while it is shown
function renew() {
  const c = X.inbox.current();
  if (c && watching[c.conversation_id] && c.status !== "closed") {
    setWatch(c.conversation_id, true).catch(function () { delete watching[c.conversation_id]; });
  }
}

function header(conv, box) {
  if (!isSupervisor() || !conv || conv.status === "closed") return;
  const cid = conv.conversation_id;
  const me = P.me() || {};
  const row = X.el("div", {class: "sv-controls row", role: "group", "aria-label": X.t("sv_whisper_label")});
  const on = !!watching[cid];
  row.appendChild(X.el("button", {type: "button", class: "small sv-watch", "aria-pressed": on ? "true" : "false",
    text: on ? X.t("sv_unwatch") : X.t("sv_watch"),
    onclick: function () { setWatch(cid, !on).catch(X.report); }}));
  if (on) row.appendChild(X.el("span", {class: "badge sv-live", role: "status", text: X.t("sv_watching")}));
  if (conv.agent_id !== me.agent_id) {
    const keep = X.el("input", {type: "checkbox", class: "sv-keep", checked: true});
    row.appendChild(X.el("label", {class: "sv-keep-label"}, [keep, X.el("span", {text: X.t("sv_keep")})]));
    row.appendChild(X.el("button", {type: "button", class: "small danger sv-barge", text: X.t("sv_barge"),
      onclick: function () {
        if (!window.confirm(X.t("sv_confirm_barge"))) return;
        X.api("POST", path(cid, "/barge-in"), {keep_agent: keep.checked}).then(function () {
          X.toast(X.t("sv_taken"));
          X.inbox.refresh();
        }).catch(X.report);
      }}));
  }
  const input = X.el("input", {type: "text", class: "sv-whisper-input", maxlength: "5000",
    placeholder: X.t("sv_whisper_ph"), "aria-label": X.t("sv_whisper_label")});
  const form = X.el("form", {class: "sv-whisper row", onsubmit: function (e) {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const id = "w-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
    // a whisperer not in the chat starts a live view first, so the whisper and the answers
    // to it reach this console
    const me = (P.me() || {}).agent_id;
    const inChat = conv.agent_id === me || (conv.participants || []).indexOf(me) >= 0;
    const ready = watching[cid] || inChat ? Promise.resolve() : setWatch(cid, true);
    ready.then(function () {
      return X.api("POST", path(cid, "/whisper"), {client_message_id: id, text: text});
    }).then(function () {
      input.value = "";
      X.toast(X.t("sv_sent"));
    }).catch(X.report);
  }}, [input, X.el("button", {type: "submit", class: "small sv-whisper-send", text: X.t("sv_whisper")})]);
  box.appendChild(row);
  box.appendChild(form);
}

function message(msg, li) {
  if (!msg || msg.type !== "whisper") return;
  li.classList.add("whisper");
  li.classList.remove("note");
  const bubble = li.querySelector(".bubble");
  const name = (msg.sender && msg.sender.name) || "";
  const badge = X.el("span", {class: "whisper-badge", text: X.t("sv_whisper_badge", {n: name})});
  if (bubble) bubble.insertBefore(badge, bubble.firstChild); else li.appendChild(badge);
}

if (X) {
  X.addStrings(EN, ZH);
  X.inbox.on("header", header);
  X.inbox.on("message", message);
  renewTimer = window.setInterval(renew, 10 * 60 * 1000);
}

export { header, message, renewTimer };
