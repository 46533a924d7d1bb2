/* Parley console: the audit log page (admins) and a site's identity-secret panel.
 * An ES module on the console's helpers (window.ParleyConsole.ext, app/main.js); every value
 * from the server is rendered with textContent (the el() helper), never as HTML. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  page_audit: "Audit log", audit_when: "When", audit_who: "Who", audit_what: "Action",
  audit_target: "On", audit_from_ip: "From", audit_details: "Details", audit_any_action: "Any action",
  audit_any_actor: "Anyone", audit_from: "From date", audit_to: "To date", audit_apply: "Show",
  audit_none: "No entries for these filters.", audit_filters: "Filters",
  identity_secret: "Identity secret", secret_reveal: "Reveal the secret", secret_hide: "Hide",
  secret_rotate: "Rotate the secret", secret_finish: "Finish rotation",
  secret_rotating: "Rotation in progress: the previous secret is still accepted until you finish.",
  secret_previous: "Previous secret (still accepted)", secret_note: "Keep it on your server. Revealing it is recorded in the audit log.",
  confirm_rotate: "Start a rotation? The new secret is used from now on; the old one keeps working until you finish the rotation.",
  confirm_finish: "Finish the rotation? The previous secret stops working.",
  "act_agent.created": "Agent created", "act_agent.updated": "Agent changed", "act_agent.role_changed": "Role changed",
  "act_agent.password_reset": "Password reset", "act_agent.disabled": "Agent disabled", "act_agent.enabled": "Agent enabled",
  "act_agent.sessions_revoked": "Sessions signed out", "act_agent.password_changed": "Own password changed", "act_team.created": "Team created", "act_team.updated": "Team changed",
  "act_team.deleted": "Team deleted", "act_canned.created": "Canned response created", "act_canned.updated": "Canned response changed",
  "act_canned.deleted": "Canned response deleted", "act_site.created": "Site created", "act_site.settings_changed": "Site settings changed",
  "act_site.secret_viewed": "Identity secret viewed", "act_site.secret_rotated": "Identity secret rotated",
  "act_site.secret_rotation_finished": "Secret rotation finished", "act_kb.entry_created": "KB entry created",
  "act_kb.entry_updated": "KB entry changed", "act_kb.entry_deleted": "KB entry deleted", "act_kb.imported": "KB imported",
  "act_kb.exported": "KB exported", "act_kb.synonyms_changed": "Synonyms changed", "act_kb.flows_changed": "Flows changed",
  "act_conversation.reassigned": "Conversation reassigned", "act_conversation.joined": "Supervisor stepped in"
};
const ZH = {
  page_audit: "审计日志", audit_when: "时间", audit_who: "操作人", audit_what: "操作",
  audit_target: "对象", audit_from_ip: "来源", audit_details: "详情", audit_any_action: "全部操作",
  audit_any_actor: "全部人员", audit_from: "开始日期", audit_to: "结束日期", audit_apply: "查询",
  audit_none: "没有符合条件的记录。", audit_filters: "筛选",
  identity_secret: "身份验证密钥", secret_reveal: "显示密钥", secret_hide: "隐藏",
  secret_rotate: "轮换密钥", secret_finish: "完成轮换",
  secret_rotating: "正在轮换:完成前旧密钥仍然有效。",
  secret_previous: "旧密钥(仍有效)", secret_note: "请保存在您的服务器上。查看密钥会记录在审计日志中。",
  confirm_rotate: "开始轮换?新密钥立即生效,旧密钥在完成轮换前仍可使用。",
  confirm_finish: "完成轮换?旧密钥将失效。",
  "act_agent.created": "创建客服", "act_agent.updated": "修改客服", "act_agent.role_changed": "更改角色",
  "act_agent.password_reset": "重置密码", "act_agent.disabled": "停用客服", "act_agent.enabled": "启用客服",
  "act_agent.sessions_revoked": "登出所有会话", "act_agent.password_changed": "修改本人密码", "act_team.created": "创建团队", "act_team.updated": "修改团队",
  "act_team.deleted": "删除团队", "act_canned.created": "新增快捷回复", "act_canned.updated": "修改快捷回复",
  "act_canned.deleted": "删除快捷回复", "act_site.created": "创建站点", "act_site.settings_changed": "修改站点设置",
  "act_site.secret_viewed": "查看身份密钥", "act_site.secret_rotated": "轮换身份密钥",
  "act_site.secret_rotation_finished": "完成密钥轮换", "act_kb.entry_created": "新增知识条目",
  "act_kb.entry_updated": "修改知识条目", "act_kb.entry_deleted": "删除知识条目", "act_kb.imported": "导入知识库",
  "act_kb.exported": "导出知识库", "act_kb.synonyms_changed": "修改同义词", "act_kb.flows_changed": "修改多轮流程",
  "act_conversation.reassigned": "重新分配会话", "act_conversation.joined": "主管介入会话"
};

const PAGE_SIZE = 25;
// the filters (and the lists of actions and agents) survive re-renders: language switch, revisits
const state = {filters: {action: "", actor: "", from: "", to: ""}, entries: [], cursor: null, actions: [], agents: []};

function actionLabel(t, action) {
  const key = "act_" + action;
  const label = t(key);
  return label === key ? action : label;
}

function dayStartMs(value) { return value ? new Date(value + "T00:00:00").getTime() : null; }
function dayEndMs(value) { return value ? new Date(value + "T23:59:59.999").getTime() : null; }

function detailsText(d) {
  return Object.keys(d || {}).map((k) => k + ": " + (Array.isArray(d[k]) ? d[k].join(", ") : String(d[k]))).join("; ");
}

let requestSeq = 0;        // only the latest listing request may fill the table

function fillOptions(select, anyLabel, items) {
  const keep = select.value;
  X.clear(select);
  select.appendChild(X.el("option", {value: "", text: anyLabel}));
  items.forEach(([value, text]) => select.appendChild(X.el("option", {value, text})));
  select.value = keep;
}

function renderAudit() {
  const {api, t, el, clear, report, section, field, errBox, showErr, fmtTime} = X;
  const page = clear(document.getElementById("page-audit"));
  page.appendChild(section(t("page_audit")));
  const f = state.filters;
  const action = el("select", {id: "audit-action", "aria-label": t("audit_what")});
  const actor = el("select", {id: "audit-actor", "aria-label": t("audit_who")});
  const fillActions = () => fillOptions(action, t("audit_any_action"), state.actions.map((a) => [a, actionLabel(t, a)]));
  const fillAgents = () => fillOptions(actor, t("audit_any_actor"), state.agents.map((a) => [a.agent_id, a.name || a.email]));
  fillActions(); fillAgents();
  action.value = f.action; actor.value = f.actor;
  const from = el("input", {type: "date", id: "audit-from", value: f.from});
  const to = el("input", {type: "date", id: "audit-to", value: f.to});
  const err = errBox();
  const tbody = el("tbody", {id: "audit-rows"});
  const more = el("button", {type: "button", id: "audit-more", text: t("load_more"), hidden: true});
  const empty = el("p", {class: "muted", id: "audit-empty", text: t("audit_none"), hidden: true});

  function row(e) {
    return el("tr", {dataset: {action: e.action}}, [
      el("td", {text: fmtTime(e.at), title: new Date(e.at).toISOString()}),
      el("td", {text: (e.actor.name || e.actor.id) + (e.actor.role ? " (" + e.actor.role + ")" : "")}),
      el("td", {text: actionLabel(t, e.action)}),
      el("td", {text: [e.target.type, e.target.id].filter(Boolean).join(" ") +
        (e.site_key && e.site_key !== e.target.id ? " · " + e.site_key : "")}),
      el("td", {text: e.source_ip || ""}),
      el("td", {text: detailsText(e.details)})
    ]);
  }

  function show() {
    clear(tbody);
    state.entries.forEach((e) => tbody.appendChild(row(e)));
    more.hidden = !state.cursor;
    empty.hidden = state.entries.length > 0;
  }

  function load(append) {
    err.textContent = "";
    const seq = ++requestSeq;
    const q = ["limit=" + PAGE_SIZE];
    if (f.action) q.push("action=" + encodeURIComponent(f.action));
    if (f.actor) q.push("actor=" + encodeURIComponent(f.actor));
    const fromMs = dayStartMs(f.from), toMs = dayEndMs(f.to);
    if (fromMs !== null) q.push("from=" + fromMs);
    if (toMs !== null) q.push("to=" + toMs);
    if (append && state.cursor) q.push("cursor=" + encodeURIComponent(state.cursor));
    return api("GET", "/admin/audit?" + q.join("&")).then((r) => {
      if (seq !== requestSeq) return;
      state.entries = append ? state.entries.concat(r.entries || []) : (r.entries || []);
      state.cursor = r.next_cursor || null;
      if (!state.actions.length && r.actions) { state.actions = r.actions; fillActions(); }
      show();
    }).catch((e) => { if (seq === requestSeq) showErr(err, e); });
  }

  more.addEventListener("click", () => load(true));
  page.appendChild(el("form", {class: "card inline-form", id: "audit-filters", "aria-label": t("audit_filters"), onsubmit: (ev) => {
    ev.preventDefault();
    f.action = action.value; f.actor = actor.value; f.from = from.value; f.to = to.value;
    load(false);
  }}, [el("div", {class: "row wrap"}, [field(t("audit_what"), action), field(t("audit_who"), actor),
    field(t("audit_from"), from), field(t("audit_to"), to)]), err,
    el("button", {type: "submit", class: "primary", text: t("audit_apply")})]));
  page.appendChild(el("div", {class: "scroll-x"}, [el("table", {class: "grid", id: "audit-table"}, [
    el("thead", {}, [el("tr", {}, ["audit_when", "audit_who", "audit_what", "audit_target", "audit_from_ip", "audit_details"]
      .map((k) => el("th", {scope: "col", text: t(k)})))]), tbody])]));
  page.appendChild(empty);
  page.appendChild(more);
  show();
  if (!state.agents.length) {
    api("GET", "/admin/agents").then((r) => { state.agents = r.agents || []; fillAgents(); }).catch(report);
  }
  load(false);    // fresh on every visit, with the filters kept
}

function secretPanel(siteKey, site) {
  const {api, t, el, showErr, errBox} = X;
  const out = el("div", {class: "secret-out", id: "s-secret-out", "aria-live": "polite"});
  const err = errBox();
  const status = el("p", {class: "muted", id: "s-secret-status", text: site.secret_rotating ? t("secret_rotating") : ""});
  const finish = el("button", {type: "button", id: "s-secret-finish", text: t("secret_finish"), hidden: !site.secret_rotating});
  const base = "/admin/sites/" + encodeURIComponent(siteKey) + "/identity-secret";

  function showSecret(r) {
    X.clear(out);
    out.appendChild(el("code", {id: "s-secret", text: r.identity_secret}));
    if (r.previous_secret) out.appendChild(el("p", {}, [el("span", {class: "muted", text: t("secret_previous") + ": "}), el("code", {text: r.previous_secret})]));
    out.appendChild(el("button", {type: "button", class: "link", text: t("secret_hide"), onclick: () => X.clear(out)}));
    status.textContent = r.rotating ? t("secret_rotating") : "";
    finish.hidden = !r.rotating;
  }

  finish.addEventListener("click", () => {
    if (!window.confirm(t("confirm_finish"))) return;
    api("POST", base + "/finish", {}).then(() => { X.clear(out); status.textContent = ""; finish.hidden = true; X.toast(t("saved")); })
      .catch((e) => showErr(err, e));
  });
  return el("section", {class: "card site-form", id: "s-secret-panel", "aria-labelledby": "s-secret-title"}, [
    el("h3", {id: "s-secret-title", text: t("identity_secret")}),
    el("p", {class: "muted", text: t("secret_note")}),
    el("div", {class: "row wrap"}, [
      el("button", {type: "button", id: "s-secret-reveal", text: t("secret_reveal"), onclick: () => {
        err.textContent = "";
        api("POST", base, {}).then(showSecret).catch((e) => showErr(err, e));
      }}),
      el("button", {type: "button", id: "s-secret-rotate", text: t("secret_rotate"), onclick: () => {
        if (!window.confirm(t("confirm_rotate"))) return;
        err.textContent = "";
        api("POST", base + "/rotate", {}).then(showSecret).catch((e) => showErr(err, e));
      }}),
      finish]),
    status, err, out]);
}

if (X) {
  X.addStrings(EN, ZH);
  X.addPage("audit", renderAudit);
  X.addSitePanel(secretPanel);
}
