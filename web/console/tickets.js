/* Parley console: the Tickets page (工单) and the inbox's "Create ticket" button.
 * An ES module on the console's helpers (window.ParleyConsole.ext, console.js). Lists are
 * keyed pages (GET /agent/tickets ... cursor); every value from the server is set with
 * textContent (the el() helper), never as HTML. */
import {clearErrors, customInputs, showFieldError, withError} from "./ticket_fields.js";
import {attachmentPicker} from "./ticket_uploads.js";

const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  page_tickets: "Tickets", tk_site: "Site", tk_view: "View", tk_status: "Status", tk_team: "Team",
  tk_requester: "Requester (visitor id or email)", tk_show: "Show", tk_new: "New ticket",
  tk_view_status: "By status", tk_view_mine: "My tickets", tk_view_unassigned: "Unassigned",
  tk_view_team: "By team", tk_view_requester: "By requester", tk_view_breaching: "Breaching soon",
  tk_none: "No tickets here.", tk_more: "Load more", tk_subject: "Subject", tk_description: "Description",
  tk_priority: "Priority", tk_assignee: "Assignee", tk_email: "Requester email", tk_name: "Requester name",
  tk_create: "Create", tk_created: "Ticket #{n} created", tk_save: "Save", tk_saved: "Saved",
  tk_back: "Back to the list", tk_comments: "Conversation", tk_history: "History", tk_transcript: "Chat transcript",
  tk_reply: "Write a reply or a note", tk_public: "Public reply (emailed to the requester)",
  tk_send: "Add", tk_internal: "Internal note", tk_public_badge: "Public reply", tk_from_email: "by email",
  tk_sla: "SLA", tk_first_reply: "First reply due", tk_resolution: "Resolution due", tk_paused: "paused (pending customer)",
  tk_breached: "Breached", tk_soon: "Due soon", tk_me: "Me", tk_unassigned: "Unassigned",
  tk_from_chat: "Create ticket", tk_from_chat_exists: "Ticket #{n} already exists for this chat",
  tk_sla_alert: "SLA breached: #{n} {s}", tk_mail_sent: "emailed", tk_mail_queued: "sending…",
  tk_tags: "Tags (comma separated)", tk_open: "Open ticket #{n}", tk_select: "Select #{n}",
  tk_bulk_mine: "Assign selected to me", tk_bulk_close: "Close selected", tk_bulk_done: "{n} changed, {f} refused",
  tk_tag: "Tag", tk_search: "Subject contains", tk_filtered: "Filtered: a page reads up to 200 tickets, so it may be short; use \"Load more\".",
  "tks_new": "New", "tks_open": "Open", "tks_pending": "Pending customer", "tks_on_hold": "On hold",
  "tks_solved": "Solved", "tks_closed": "Closed",
  "tkp_low": "Low", "tkp_normal": "Normal", "tkp_high": "High", "tkp_urgent": "Urgent",
  "tkh_created": "created the ticket", "tkh_updated": "changed", "tkh_commented": "commented",
  "tkh_sla_breached": "SLA breached"
};
const ZH = {
  page_tickets: "工单", tk_site: "站点", tk_view: "视图", tk_status: "状态", tk_team: "团队",
  tk_requester: "提交人(访客 ID 或邮箱)", tk_show: "查看", tk_new: "新建工单",
  tk_view_status: "按状态", tk_view_mine: "我的工单", tk_view_unassigned: "未分配",
  tk_view_team: "按团队", tk_view_requester: "按提交人", tk_view_breaching: "即将超时",
  tk_none: "没有工单。", tk_more: "加载更多", tk_subject: "主题", tk_description: "描述",
  tk_priority: "优先级", tk_assignee: "处理人", tk_email: "提交人邮箱", tk_name: "提交人姓名",
  tk_create: "创建", tk_created: "已创建工单 #{n}", tk_save: "保存", tk_saved: "已保存",
  tk_back: "返回列表", tk_comments: "沟通记录", tk_history: "变更历史", tk_transcript: "会话记录",
  tk_reply: "填写回复或内部备注", tk_public: "公开回复(邮件发送给提交人)",
  tk_send: "添加", tk_internal: "内部备注", tk_public_badge: "公开回复", tk_from_email: "来自邮件",
  tk_sla: "SLA", tk_first_reply: "首次回复截止", tk_resolution: "解决截止", tk_paused: "已暂停(等待客户)",
  tk_breached: "已超时", tk_soon: "即将超时", tk_me: "我", tk_unassigned: "未分配",
  tk_from_chat: "创建工单", tk_from_chat_exists: "该会话已有工单 #{n}",
  tk_sla_alert: "SLA 超时:#{n} {s}", tk_mail_sent: "已发送邮件", tk_mail_queued: "发送中…",
  tk_tags: "标签(逗号分隔)", tk_open: "打开工单 #{n}", tk_select: "选择 #{n}",
  tk_bulk_mine: "将所选分配给我", tk_bulk_close: "关闭所选", tk_bulk_done: "已修改 {n} 个,{f} 个被拒绝",
  tk_tag: "标签", tk_search: "主题包含", tk_filtered: "已筛选:每页最多读取 200 个工单,结果可能较少,请点“加载更多”。",
  "tks_new": "新建", "tks_open": "处理中", "tks_pending": "等待客户", "tks_on_hold": "挂起",
  "tks_solved": "已解决", "tks_closed": "已关闭",
  "tkp_low": "低", "tkp_normal": "普通", "tkp_high": "高", "tkp_urgent": "紧急",
  "tkh_created": "创建了工单", "tkh_updated": "修改了", "tkh_commented": "添加了评论",
  "tkh_sla_breached": "SLA 超时"
};

const STATUSES = ["new", "open", "pending", "on_hold", "solved", "closed"];
const NEXT = {new: ["open", "pending", "on_hold", "solved", "closed"], open: ["pending", "on_hold", "solved", "closed"],
  pending: ["open", "on_hold", "solved", "closed"], on_hold: ["open", "pending", "solved", "closed"],
  solved: ["open", "closed"], closed: []};
const PRIORITIES = ["low", "normal", "high", "urgent"];
const VIEWS = ["status", "mine", "unassigned", "team", "requester", "breaching"];
const PAGE_SIZE = 25;
const state = {site: localStorage.getItem("parley.tickets.site") || "", view: "status", status: "open", team: "",
  requester: "", tag: "", q: "", tickets: [], cursor: null, open: null};
let requestSeq = 0;

function opt(value, text) { return X.el("option", {value, text}); }

function slaBadge(t, tk) {
  const b = tk.sla && tk.sla.badge;
  if (!b) return null;
  return X.el("span", {class: "chip tk-sla " + b, text: b === "breached" ? t("tk_breached") : t("tk_soon")});
}

function renderTickets() {
  const {t, el, clear, section} = X;
  const page = clear(document.getElementById("page-tickets"));
  page.appendChild(section(t("page_tickets")));
  if (state.open) return renderTicket(page, state.open);
  renderList(page);
  if (!state.site) {
    const current = X.inbox.current();
    if (current && current.site_key) state.site = current.site_key;
  }
}

function renderList(page) {
  const {t, el, field, errBox, showErr, api} = X;
  const site = el("input", {id: "tk-site", type: "text", maxlength: "64", required: true, value: state.site});
  const view = el("select", {id: "tk-view"}, VIEWS.map((v) => opt(v, t("tk_view_" + v))));
  view.value = state.view;
  const status = el("select", {id: "tk-status"}, STATUSES.map((s) => opt(s, t("tks_" + s))));
  status.value = state.status;
  const team = el("input", {id: "tk-team", type: "text", maxlength: "50", value: state.team});
  const requester = el("input", {id: "tk-requester", type: "text", maxlength: "254", value: state.requester});
  const tag = el("input", {id: "tk-tag", type: "text", maxlength: "40", value: state.tag});
  const search = el("input", {id: "tk-q", type: "search", minlength: "2", maxlength: "100", value: state.q});
  const filtered = el("p", {class: "muted", id: "tk-filtered", text: t("tk_filtered"), hidden: true});
  const err = errBox();
  const list = el("ul", {class: "tk-list", id: "tk-list", "aria-live": "polite"});
  const more = el("button", {type: "button", id: "tk-more", text: t("tk_more"), hidden: true});
  const empty = el("p", {class: "muted", id: "tk-empty", text: t("tk_none"), hidden: true});

  const picked = new Set();
  const bulkMine = el("button", {type: "button", id: "tk-bulk-mine", text: t("tk_bulk_mine"), disabled: true,
    onclick: () => bulk({assignee_id: (window.ParleyConsole.me() || {}).agent_id})});
  const bulkClose = el("button", {type: "button", id: "tk-bulk-close", text: t("tk_bulk_close"), disabled: true,
    onclick: () => bulk({status: "closed"})});
  function syncBulk() { bulkMine.disabled = bulkClose.disabled = picked.size === 0; }
  function bulk(change) {
    err.textContent = "";
    api("POST", "/agent/tickets/bulk", Object.assign({ticket_ids: Array.from(picked)}, change)).then((r) => {
      X.toast(t("tk_bulk_done", {n: (r.tickets || []).length, f: (r.failed || []).length}));
      picked.clear(); syncBulk(); load(false);
    }).catch((e) => showErr(err, e));
  }
  function item(tk) {
    const box = el("input", {type: "checkbox", class: "tk-pick", "aria-label": t("tk_select", {n: tk.number}),
      checked: picked.has(tk.ticket_id), onchange: (ev) => {
        if (ev.target.checked) picked.add(tk.ticket_id); else picked.delete(tk.ticket_id);
        syncBulk();
      }});
    return el("li", {class: "tk-row", dataset: {ticket: tk.ticket_id}}, [box,
      el("button", {type: "button", class: "tk-item", "aria-label": t("tk_open", {n: tk.number}),
        onclick: () => openTicket(tk.ticket_id)}, [
        el("span", {class: "tk-num", text: "#" + tk.number}),
        el("strong", {class: "tk-subject", text: tk.subject}),
        el("span", {class: "chip", text: t("tks_" + tk.status)}),
        el("span", {class: "chip", text: t("tkp_" + tk.priority)}),
        el("span", {class: "muted", text: tk.assignee_name || t("tk_unassigned")}),
        slaBadge(t, tk)])]);
  }
  function show() {
    X.clear(list);
    state.tickets.forEach((tk) => list.appendChild(item(tk)));
    more.hidden = !state.cursor;
    empty.hidden = state.tickets.length > 0;
    filtered.hidden = !(state.tag || state.q);
  }
  function load(append) {
    err.textContent = "";
    if (!state.site) return;
    const seq = ++requestSeq;
    const q = ["site_key=" + encodeURIComponent(state.site), "view=" + state.view, "limit=" + PAGE_SIZE];
    if (state.view === "status") q.push("status=" + state.status);
    if (state.view === "team" && state.team) q.push("team=" + encodeURIComponent(state.team));
    if (state.view === "requester") q.push("requester=" + encodeURIComponent(state.requester));
    if (state.tag) q.push("tag=" + encodeURIComponent(state.tag));
    if (state.q) q.push("q=" + encodeURIComponent(state.q));
    if (append && state.cursor) q.push("cursor=" + encodeURIComponent(state.cursor));
    return api("GET", "/agent/tickets?" + q.join("&")).then((r) => {
      if (seq !== requestSeq) return;
      state.tickets = append ? state.tickets.concat(r.tickets || []) : (r.tickets || []);
      state.cursor = r.cursor || null;
      show();
    }).catch((e) => { if (seq === requestSeq) showErr(err, e); });
  }
  function syncInputs() {
    status.parentNode.hidden = view.value !== "status";
    team.parentNode.hidden = view.value !== "team";
    requester.parentNode.hidden = view.value !== "requester";
  }
  view.addEventListener("change", syncInputs);
  more.addEventListener("click", () => load(true));
  page.appendChild(el("form", {class: "card inline-form tk-filters", id: "tk-filters", onsubmit: (ev) => {
    ev.preventDefault();
    state.site = site.value.trim(); state.view = view.value; state.status = status.value;
    state.team = team.value.trim(); state.requester = requester.value.trim();
    state.tag = tag.value.trim(); state.q = search.value.trim();
    localStorage.setItem("parley.tickets.site", state.site);
    load(false);
  }}, [el("div", {class: "row wrap"}, [field(t("tk_site"), site), field(t("tk_view"), view), field(t("tk_status"), status),
    field(t("tk_team"), team), field(t("tk_requester"), requester), field(t("tk_tag"), tag),
    field(t("tk_search"), search)]), err,
    el("div", {class: "row wrap"}, [el("button", {type: "submit", class: "primary", id: "tk-show", text: t("tk_show")}),
      el("button", {type: "button", id: "tk-new", text: t("tk_new"), onclick: () => newForm(page, site.value.trim())})])]));
  syncInputs();
  page.appendChild(el("div", {class: "row wrap tk-bulk"}, [bulkMine, bulkClose]));
  page.appendChild(filtered);
  page.appendChild(list);
  page.appendChild(empty);
  page.appendChild(more);
  show();
  load(false);
}

function newForm(page, siteKey) {
  const {t, el, field, errBox, api} = X;
  if (document.getElementById("tk-new-form")) return;
  const site = siteKey || state.site;
  const subject = el("input", {id: "tkn-subject", type: "text", maxlength: "200", required: true});
  const description = el("textarea", {id: "tkn-description", maxlength: "10000", rows: "4"});
  const email = el("input", {id: "tkn-email", type: "email", maxlength: "254", required: true});
  const name = el("input", {id: "tkn-name", type: "text", maxlength: "100"});
  const priority = el("select", {id: "tkn-priority"}, PRIORITIES.map((p) => opt(p, t("tkp_" + p))));
  priority.value = "normal";
  const tags = el("input", {id: "tkn-tags", type: "text", maxlength: "400"});
  const places = {};
  const withErr = (label, input, key) => {
    const e = withError(input, input.id);
    places[key] = {input, err: e};
    return el("div", {}, [field(label, input), e]);
  };
  const custom = el("div", {id: "tkn-custom"});
  let fields = customInputs([], {}, "tkn-cf-");
  api("GET", "/agent/tickets/settings/" + encodeURIComponent(site)).then((r) => {
    fields = customInputs(r.fields || [], {}, "tkn-cf-");
    fields.nodes.forEach((n) => custom.appendChild(n));
  }).catch(() => {});
  const err = errBox();
  const form = el("form", {class: "card inline-form", id: "tk-new-form", onsubmit: (ev) => {
    ev.preventDefault();
    err.textContent = "";
    Object.assign(places, fields.errors);
    clearErrors(places);
    const tagList = tags.value.split(",").map((x) => x.trim()).filter(Boolean);
    api("POST", "/agent/tickets", {site_key: site, subject: subject.value.trim(),
      description: description.value, priority: priority.value, custom_fields: fields.values(),
      tags: tagList,
      requester: Object.assign({email: email.value.trim()}, name.value.trim() ? {name: name.value.trim()} : {})})
      .then((r) => {
        X.toast(t("tk_created", {n: r.ticket.number}));
        state.site = site;                       // the list comes back to this site
        localStorage.setItem("parley.tickets.site", site);
        openTicket(r.ticket.ticket_id);
      }).catch((e) => showFieldError(places, err, e));
  }}, [withErr(t("tk_subject"), subject, "subject"), withErr(t("tk_description"), description, "description"),
    withErr(t("tk_email"), email, "requester.email"), withErr(t("tk_name"), name, "requester.name"),
    field(t("tk_priority"), priority), withErr(t("tk_tags"), tags, "tags"), custom, err,
    el("button", {type: "submit", class: "primary", id: "tkn-create", text: t("tk_create")})]);
  page.insertBefore(form, document.getElementById("tk-filtered"));
  subject.focus();
}

function openTicket(id) {
  state.open = id;
  const nav = document.querySelector('#pages [data-page="tickets"]');
  if (nav && nav.getAttribute("aria-current") !== "page") nav.click(); else renderTickets();
}

function renderTicket(page, id) {
  const {t, el, errBox, api, report} = X;
  page.appendChild(el("button", {type: "button", class: "link", id: "tk-back", text: t("tk_back"),
    onclick: () => { state.open = null; renderTickets(); }}));
  const box = el("div", {id: "tk-detail", "aria-live": "polite"});
  page.appendChild(box);
  const err = errBox();
  page.appendChild(err);
  api("GET", "/agent/tickets/" + encodeURIComponent(id)).then((r) => {
    if (state.open !== id) return;
    return api("GET", "/agent/tickets/settings/" + encodeURIComponent(r.ticket.site_key))
      .catch(() => ({fields: []})).then((settings) => { r.fields = settings.fields || []; return r; });
  }).then((r) => {
    if (!r || state.open !== id) return;
    fillTicket(box, r);
    api("GET", "/agent/tickets/" + encodeURIComponent(id) + "/history?limit=50")
      .then((h) => { if (state.open === id) box.appendChild(historyBox(h.history || [])); }).catch(report);
  }).catch((e) => X.showErr(err, e));
}

function fillTicket(box, r) {
  const {t, el, field, errBox, api, fmtTime} = X;
  const tk = r.ticket;
  const me = window.ParleyConsole.me() || {};
  const status = el("select", {id: "tk-f-status"}, [tk.status].concat(NEXT[tk.status] || []).map((s) => opt(s, t("tks_" + s))));
  status.value = tk.status;
  const priority = el("select", {id: "tk-f-priority"}, PRIORITIES.map((p) => opt(p, t("tkp_" + p))));
  priority.value = tk.priority;
  const assignee = el("select", {id: "tk-f-assignee"}, [opt("", t("tk_unassigned"))]
    .concat(tk.assignee_id && tk.assignee_id !== me.agent_id ? [opt(tk.assignee_id, tk.assignee_name || tk.assignee_id)] : [])
    .concat(me.agent_id ? [opt(me.agent_id, t("tk_me") + " (" + (me.name || me.email || "") + ")")] : []));
  assignee.value = tk.assignee_id || "";
  const tags = el("input", {id: "tk-f-tags", type: "text", maxlength: "400", value: (tk.tags || []).join(", ")});
  const custom = customInputs(r.fields || [], tk.custom_fields || {}, "tk-cf-");
  const err = errBox();
  const sla = tk.sla || {};
  const slaLine = el("p", {class: "tk-sla-line", id: "tk-sla"}, [el("span", {class: "muted", text: t("tk_sla") + ": "}),
    sla.first_reply_due ? el("span", {text: t("tk_first_reply") + " " + fmtTime(sla.first_reply_due) + " · "}) : null,
    sla.resolution_due ? el("span", {text: t("tk_resolution") + " " + fmtTime(sla.resolution_due)}) : null,
    sla.paused ? el("span", {text: " " + t("tk_paused")}) : null, slaBadge(t, tk)]);
  X.clear(box);
  box.appendChild(el("div", {class: "card"}, [
    el("h3", {id: "tk-title"}, [el("span", {class: "tk-num", text: "#" + tk.number + " "}), el("span", {text: tk.subject})]),
    el("p", {class: "muted", id: "tk-requester-line", text: [tk.requester && tk.requester.name, tk.requester && tk.requester.email,
      tk.source].filter(Boolean).join(" · ")}),
    tk.description ? el("p", {class: "tk-description", text: tk.description}) : null,
    slaLine,
    el("form", {class: "row wrap", id: "tk-fields", onsubmit: (ev) => {
      ev.preventDefault();
      err.textContent = "";
      clearErrors(custom.errors);
      const body = {};
      if (status.value !== tk.status) body.status = status.value;
      if (priority.value !== tk.priority) body.priority = priority.value;
      if ((assignee.value || null) !== (tk.assignee_id || null)) body.assignee_id = assignee.value || null;
      const newTags = tags.value.split(",").map((s) => s.trim()).filter(Boolean);
      if (newTags.join(",") !== (tk.tags || []).join(",")) body.tags = newTags;
      const values = custom.changed();
      if (Object.keys(values).length) body.custom_fields = values;
      if (!Object.keys(body).length) return;
      api("PATCH", "/agent/tickets/" + encodeURIComponent(tk.ticket_id), body)
        .then(() => { X.toast(t("tk_saved")); renderTickets(); }).catch((e) => showFieldError(custom.errors, err, e));
    }}, [field(t("tk_status"), status), field(t("tk_priority"), priority), field(t("tk_assignee"), assignee),
      field(t("tk_tags"), tags)].concat(custom.nodes).concat([
      el("button", {type: "submit", class: "primary", id: "tk-save", text: t("tk_save")})])),
    err]));
  box.appendChild(commentsBox(tk, r.comments || []));
  if (r.transcript && r.transcript.length) {
    box.appendChild(el("details", {class: "card", id: "tk-transcript"}, [el("summary", {text: t("tk_transcript")}),
      el("ol", {class: "tk-lines"}, r.transcript.map((l) => el("li", {}, [
        el("span", {class: "muted", text: fmtTime(l.at) + " " + X.senderName(l.name, l.sender) + ": "}),
        el("span", {text: l.text || l.attachment || ""})])))]));
  }
}

function commentsBox(tk, comments) {
  const {t, el, field, errBox, showErr, api, fmtTime} = X;
  const list = el("ol", {class: "tk-comments", id: "tk-comments"}, comments.map((c) =>
    el("li", {class: "tk-comment " + (c.public ? "public" : "internal"), dataset: {comment: c.id}}, [
      el("div", {class: "row"}, [el("strong", {text: (c.author && c.author.name) || ""}),
        el("span", {class: "chip", text: c.public ? t("tk_public_badge") : t("tk_internal")}),
        c.source === "email" ? el("span", {class: "chip", text: t("tk_from_email")}) : null,
        c.mail_status === "sent" ? el("span", {class: "muted", text: t("tk_mail_sent")}) : null,
        c.mail_status === "queued" ? el("span", {class: "muted", text: t("tk_mail_queued")}) : null,
        el("time", {class: "muted", text: fmtTime(c.at)})]),
      el("p", {class: "tk-body", text: c.body}),
      (c.attachments || []).length ? el("div", {class: "row"}, c.attachments.map((a) =>
        el("a", {class: "tk-att", href: a.url || "#", target: "_blank", rel: "noopener", text: a.name}))) : null])));
  const text = el("textarea", {id: "tk-reply", rows: "3", maxlength: "10000", required: true, "aria-label": t("tk_reply")});
  const pub = el("input", {type: "checkbox", id: "tk-public"});
  const err = errBox();
  const closed = tk.status === "closed";
  const picker = closed ? null : attachmentPicker(tk.ticket_id, err);
  return el("section", {class: "card", "aria-labelledby": "tk-comments-title"}, [
    el("h3", {id: "tk-comments-title", text: t("tk_comments")}), list,
    closed ? null : el("form", {id: "tk-reply-form", onsubmit: (ev) => {
      ev.preventDefault();
      err.textContent = "";
      if (picker.busy()) return;
      const atts = picker.attachments();
      api("POST", "/agent/tickets/" + encodeURIComponent(tk.ticket_id) + "/comments",
        Object.assign({body: text.value, public: pub.checked}, atts.length ? {attachments: atts} : {}))
        .then(() => renderTickets()).catch((e) => showErr(err, e));
    }}, [field(t("tk_reply"), text), picker.node, el("label", {class: "row"}, [pub, el("span", {text: t("tk_public")})]), err,
      el("button", {type: "submit", class: "primary", id: "tk-send", text: t("tk_send")})])]);
}

function changeText(t, changes) {
  return Object.keys(changes || {}).map((k) => {
    const [a, b] = changes[k];
    const show = (v) => Array.isArray(v) ? v.join(", ") : (v === null || v === undefined ? "—" :
      (k === "status" ? t("tks_" + v) : k === "priority" ? t("tkp_" + v) : String(v)));
    return k + ": " + show(a) + " → " + show(b);
  }).join("; ");
}

function historyBox(entries) {
  const {t, el, fmtTime} = X;
  return el("details", {class: "card", id: "tk-history"}, [el("summary", {text: t("tk_history")}),
    el("ol", {}, entries.map((h) => el("li", {}, [
      el("time", {class: "muted", text: fmtTime(h.at) + " "}),
      el("strong", {text: ((h.by && h.by.name) || (h.by && h.by.type) || "") + " "}),
      el("span", {text: t("tkh_" + h.action) + " " + changeText(t, h.changes)})])))]);
}

function chatButton(conv, box) {
  const {t, el, api, showErr} = X;
  box.appendChild(el("button", {type: "button", class: "small", id: "create-ticket", text: t("tk_from_chat"), onclick: () => {
    api("POST", "/agent/conversations/" + encodeURIComponent(conv.conversation_id) + "/ticket", {}).then((r) => {
      X.toast(t(r.created ? "tk_created" : "tk_from_chat_exists", {n: r.ticket.number}));
      state.site = r.ticket.site_key;
      openTicket(r.ticket.ticket_id);
    }).catch((e) => X.toast(e.message, "error"));
  }}));
}

function onSocketEvent(ev) {
  if (!ev || ev.type !== "ticket_sla" || !ev.ticket) return;
  X.toast(X.t("tk_sla_alert", {n: ev.ticket.number, s: ev.ticket.subject}), "warn");
}

if (X) {
  X.addStrings(EN, ZH);
  X.addPage("tickets", renderTickets);
  X.inbox.on("header", chatButton);
  X.inbox.on("event", onSocketEvent);
}
