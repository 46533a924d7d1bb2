/* Parley console: the Contacts page (list, filters, a contact with its fields, timeline and
 * merge preview), the Leads page (pool, mine, pipeline; claim) and the inbox side panel
 * showing the visitor's contact. An ES module on window.ParleyConsole.ext (console.js); every
 * value from the server is set with textContent (the el() helper), never as HTML. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  page_contacts: "Contacts", page_leads: "Leads", ct_site: "Site", ct_filter: "Filter",
  ct_all: "All contacts", ct_tag: "Tag", ct_owner_me: "Mine", ct_pool: "Leads pool", ct_show: "Show",
  ct_none: "No contacts here.", ct_name: "Name", ct_emails: "E-mails", ct_phones: "Phones",
  ct_tags: "Tags (comma separated)", ct_notes: "Notes", ct_company: "Company", ct_owner: "Owner",
  ct_lead: "Lead", ct_updated: "Updated", ct_save: "Save", ct_saved: "Saved", ct_back: "Back to the list",
  ct_timeline: "Timeline", ct_fields: "Fields", ct_merge: "Merge another contact into this one",
  ct_merge_id: "Contact id to merge in", ct_preview: "Preview", ct_merge_do: "Merge", ct_moves: "Moves here",
  ct_conflicts: "Kept here (the other value is dropped)", ct_suggest: "Possibly the same person",
  ct_mark_lead: "Mark as lead", ct_open: "Open contact", ct_contact: "Contact", ct_no_contact: "No contact yet.",
  ct_chats: "Chats", ct_rating: "Last rating", ct_channels: "Channels",
  ld_pool: "Pool", ld_mine: "Mine", ld_claim: "Claim", ld_claimed: "Claimed", ld_status: "Status",
  ld_note: "Note", ld_next: "Next contact", ld_update: "Update", ld_due: "Follow-ups due", ld_source: "Source",
  "ld_s_new": "New", "ld_s_contacted": "Contacted", "ld_s_qualified": "Qualified", "ld_s_won": "Won", "ld_s_lost": "Lost",
  "tl_conversation_created": "Chat started", "tl_conversation_closed": "Chat closed",
  "tl_conversation_rated": "Rated", "tl_message_left": "Left a message", "tl_fields_changed": "Fields changed",
  "tl_lead_claimed": "Lead claimed", "tl_lead_moved": "Lead updated", "tl_lead_returned": "Lead returned to the pool",
  "tl_merged": "Merged", "tl_note": "Note", ct_more: "More"
};
const ZH = {
  page_contacts: "客户", page_leads: "线索", ct_site: "站点", ct_filter: "筛选",
  ct_all: "全部客户", ct_tag: "标签", ct_owner_me: "我的客户", ct_pool: "线索池", ct_show: "查询",
  ct_none: "没有客户。", ct_name: "姓名", ct_emails: "邮箱", ct_phones: "电话",
  ct_tags: "标签(逗号分隔)", ct_notes: "备注", ct_company: "公司", ct_owner: "负责人",
  ct_lead: "线索", ct_updated: "更新时间", ct_save: "保存", ct_saved: "已保存", ct_back: "返回列表",
  ct_timeline: "时间线", ct_fields: "自定义字段", ct_merge: "把另一个客户合并到此客户",
  ct_merge_id: "要合并的客户 ID", ct_preview: "预览", ct_merge_do: "合并", ct_moves: "将移入",
  ct_conflicts: "保留此处的值(另一值被舍弃)", ct_suggest: "可能是同一个人",
  ct_mark_lead: "标记为线索", ct_open: "打开客户", ct_contact: "客户", ct_no_contact: "尚无客户档案。",
  ct_chats: "会话数", ct_rating: "最近评分", ct_channels: "渠道",
  ld_pool: "线索池", ld_mine: "我的线索", ld_claim: "领取", ld_claimed: "已领取", ld_status: "状态",
  ld_note: "跟进记录", ld_next: "下次联系", ld_update: "更新", ld_due: "待跟进", ld_source: "来源",
  "ld_s_new": "新线索", "ld_s_contacted": "已联系", "ld_s_qualified": "已确认", "ld_s_won": "成交", "ld_s_lost": "流失",
  "tl_conversation_created": "发起会话", "tl_conversation_closed": "会话结束",
  "tl_conversation_rated": "评价", "tl_message_left": "留言", "tl_fields_changed": "资料变更",
  "tl_lead_claimed": "领取线索", "tl_lead_moved": "更新线索", "tl_lead_returned": "线索退回线索池",
  "tl_merged": "合并", "tl_note": "备注", ct_more: "更多"
};
const STATUSES = ["new", "contacted", "qualified", "won", "lost"];
const PAGE = 25;
const state = {site: localStorage.getItem("parley.contacts.site") || "", filter: "all", tag: "",
  rows: [], next: null, open: null, leadBucket: "pool", leadRows: [], leadNext: null};

function q(obj) {
  return Object.keys(obj).filter((k) => obj[k] !== "" && obj[k] !== null && obj[k] !== undefined)
    .map((k) => k + "=" + encodeURIComponent(obj[k])).join("&");
}
function label(key, fallback) { const s = X.t(key); return s === key ? fallback : s; }
function who(c) { return c.name || (c.emails || [])[0] || (c.phones || [])[0] || c.contact_id; }
function csv(text) { return text.split(/[,,]/).map((x) => x.trim()).filter(Boolean); }

/* the site picker: the admin's site list, else a text box (remembered) */
function sitePicker(onChange) {
  const {el, api, t} = X;
  const current = state.site || ((X.inbox.current() || {}).site_key) || "";
  const input = el("input", {type: "text", id: "ct-site", value: current, maxlength: "64", "aria-label": t("ct_site")});
  const choose = (v) => { state.site = v; localStorage.setItem("parley.contacts.site", v); onChange(); };
  input.addEventListener("change", () => choose(input.value.trim()));
  if (X.isAdmin()) {
    const sel = el("select", {id: "ct-site-select", "aria-label": t("ct_site")});
    api("GET", "/admin/sites").then((r) => {
      (r.sites || []).forEach((s) => sel.appendChild(el("option", {value: s.site_key, text: s.site_key})));
      if (!state.site && r.sites && r.sites.length) state.site = r.sites[0].site_key;
      sel.value = state.site;
      onChange();
    }).catch(X.report);
    sel.addEventListener("change", () => choose(sel.value));
    return X.field(t("ct_site"), sel);
  }
  state.site = current;
  setTimeout(onChange, 0);
  return X.field(t("ct_site"), input);
}

function leadText(lead) {
  if (!lead) return "";
  return label("ld_s_" + lead.status, lead.status) + (lead.owner_id ? "" : " · " + X.t("ld_pool"));
}

// ------------------------------------------------------------------ Contacts page
function renderContacts() {
  const {el, clear, t, section, errBox} = X;
  const page = clear(document.getElementById("page-contacts"));
  page.appendChild(section(t("page_contacts")));
  if (state.open) return renderContact(page, state.open);
  const err = errBox();
  const filter = el("select", {id: "ct-filter", "aria-label": t("ct_filter")}, [
    el("option", {value: "all", text: t("ct_all")}), el("option", {value: "mine", text: t("ct_owner_me")}),
    el("option", {value: "pool", text: t("ct_pool")}), el("option", {value: "tag", text: t("ct_tag")})]);
  filter.value = state.filter;
  const tag = el("input", {type: "text", id: "ct-tag", value: state.tag, maxlength: "40", "aria-label": t("ct_tag")});
  const tbody = el("tbody", {id: "ct-rows"});
  const empty = el("p", {class: "muted", id: "ct-empty", text: t("ct_none"), hidden: true});
  const more = el("button", {type: "button", id: "ct-more", text: t("ct_more"), hidden: true});
  function show() {
    clear(tbody);
    state.rows.forEach((c) => tbody.appendChild(el("tr", {dataset: {contact: c.contact_id}}, [
      el("td", {}, [el("button", {type: "button", class: "link", text: who(c), onclick: () => openContact(c.contact_id)})]),
      el("td", {text: (c.emails || []).concat(c.phones || []).join(", ")}),
      el("td", {text: (c.tags || []).join(", ")}),
      el("td", {text: leadText(c.lead)}),
      el("td", {text: c.updated_at ? X.fmtTime(c.updated_at) : ""})])));
    empty.hidden = state.rows.length > 0;
    more.hidden = !state.next;
  }
  function load(append) {
    err.textContent = "";
    if (!state.site) return;
    const me = (window.ParleyConsole.me() || {}).agent_id;
    const f = {site_key: state.site, limit: PAGE};
    if (state.filter === "mine") f.owner = me;
    if (state.filter === "pool") f.lead = "pool";
    if (state.filter === "tag") f.tag = state.tag;
    if (append && state.next) Object.assign(f, state.next);
    X.api("GET", "/agent/contacts?" + q(f)).then((r) => {
      state.rows = append ? state.rows.concat(r.contacts || []) : (r.contacts || []);
      state.next = r.next || null;
      show();
    }).catch((e) => X.showErr(err, e));
  }
  more.addEventListener("click", () => load(true));
  page.appendChild(el("form", {class: "card inline-form", id: "ct-filters", onsubmit: (ev) => {
    ev.preventDefault(); state.filter = filter.value; state.tag = tag.value.trim(); load(false);
  }}, [el("div", {class: "row wrap"}, [sitePicker(() => load(false)), X.field(t("ct_filter"), filter), X.field(t("ct_tag"), tag)]),
    err, el("button", {type: "submit", class: "primary", text: t("ct_show")})]));
  page.appendChild(el("div", {class: "scroll-x"}, [el("table", {class: "grid", id: "ct-table"}, [
    el("thead", {}, [el("tr", {}, ["ct_name", "ct_emails", "ct_tags", "ct_lead", "ct_updated"].map((k) => el("th", {scope: "col", text: t(k)})))]),
    tbody])]));
  page.appendChild(empty);
  page.appendChild(more);
  show();
}

function openContact(id) {
  state.open = id;
  if (window.ParleyConsole.state().page !== "contacts") {
    const nav = document.querySelector('#pages [data-page="contacts"]');
    if (nav) nav.click();
  }
  renderContacts();
}

function fieldInput(def, value) {
  const {el} = X;
  const id = "ctf-" + def.key;
  const opts = (def.options || []).map((o) => el("option", {value: o.value,
    text: (X.lang() === "zh" ? o.label_zh : o.label_en) || o.value}));
  if (def.type === "select") {
    const s = el("select", {id}, [el("option", {value: "", text: "—"})].concat(opts));
    s.value = value || "";
    return s;
  }
  if (def.type === "multi_select") {
    const s = el("select", {id, multiple: true}, opts);
    Array.from(s.options).forEach((o) => { o.selected = (value || []).indexOf(o.value) >= 0; });
    return s;
  }
  const type = def.type === "number" ? "number" : def.type === "date" ? "date" : "text";
  return el("input", {id, type, value: value === undefined || value === null ? "" : String(value)});
}

function fieldValue(def, input) {
  if (def.type === "multi_select") return Array.from(input.selectedOptions).map((o) => o.value);
  if (def.type === "number") return input.value === "" ? null : Number(input.value);
  return input.value === "" ? null : input.value;
}

function renderContact(page, id) {
  const {el, t, api, errBox, showErr, clear} = X;
  const err = errBox();
  page.appendChild(el("button", {type: "button", class: "link", id: "ct-back", text: t("ct_back"), onclick: () => { state.open = null; renderContacts(); }}));
  const body = el("div", {id: "ct-view"});
  page.appendChild(err);
  page.appendChild(body);
  api("GET", "/agent/contacts/" + encodeURIComponent(id)).then((r) => {
    const c = r.contact, defs = r.field_defs || [];
    const name = el("input", {type: "text", id: "ct-name", value: c.name || "", maxlength: "100"});
    const company = el("input", {type: "text", id: "ct-company", value: c.company || "", maxlength: "100"});
    const tags = el("input", {type: "text", id: "ct-tags", value: (c.tags || []).join(", ")});
    const notes = el("textarea", {id: "ct-notes", rows: "3"}); notes.value = c.notes || "";
    const inputs = defs.map((d) => [d, fieldInput(d, (c.fields || {})[d.key])]);
    const fieldErr = {};       // the API's 4xx for one field (details.field = fields.KEY) shows beside it
    const fieldCell = ([d, input]) => {
      fieldErr[d.key] = el("span", {class: "error ctf-error", id: "ctf-" + d.key + "-error", role: "alert"});
      input.setAttribute("aria-describedby", fieldErr[d.key].id);
      if (d.required) input.setAttribute("aria-required", "true");
      return el("div", {class: "ctf-cell"}, [X.field((X.lang() === "zh" ? d.label_zh : d.label_en) + (d.required ? " *" : ""), input),
        fieldErr[d.key]]);
    };
    const showFieldErr = (e) => {
      const m = /^fields\.(.+)$/.exec((e.details || {}).field || "");
      if (!m || !fieldErr[m[1]]) return showErr(err, e);
      fieldErr[m[1]].textContent = e.message;
      const input = document.getElementById("ctf-" + m[1]);
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    };
    body.appendChild(el("h3", {id: "ct-title", text: who(c)}));
    body.appendChild(el("p", {class: "muted", id: "ct-ids", text: [(c.emails || []).join(", "), (c.phones || []).join(", "),
      t("ct_channels") + ": " + (c.channels || []).join(", "), t("ct_chats") + ": " + ((c.stats || {}).chats || 0),
      (c.stats || {}).last_rating ? t("ct_rating") + ": " + c.stats.last_rating : ""].filter(Boolean).join(" · ")}));
    body.appendChild(el("form", {class: "card inline-form", id: "ct-form", onsubmit: (ev) => {
      ev.preventDefault();
      err.textContent = "";
      Object.keys(fieldErr).forEach((k) => { fieldErr[k].textContent = ""; document.getElementById("ctf-" + k).removeAttribute("aria-invalid"); });
      const fields = {};
      inputs.forEach(([d, input]) => { fields[d.key] = fieldValue(d, input); });
      api("PATCH", "/agent/contacts/" + encodeURIComponent(c.contact_id), {name: name.value.trim() || null,
        company: company.value.trim() || null, tags: csv(tags.value), notes: notes.value || null, fields: fields})
        .then(() => { X.toast(t("ct_saved")); renderContacts(); }).catch(showFieldErr);
    }}, [X.field(t("ct_name"), name), X.field(t("ct_company"), company), X.field(t("ct_tags"), tags), X.field(t("ct_notes"), notes),
      el("h3", {text: t("ct_fields")})].concat(inputs.map(fieldCell))
      .concat([el("div", {class: "row wrap"}, [el("button", {type: "submit", class: "primary", text: t("ct_save")}),
        c.lead ? el("span", {class: "badge", id: "ct-lead", text: t("ct_lead") + ": " + leadText(c.lead)})
          : el("button", {type: "button", id: "ct-mark-lead", text: t("ct_mark_lead"), onclick: () => {
            api("PATCH", "/agent/contacts/" + encodeURIComponent(c.contact_id), {lead: true}).then(renderContacts).catch((e) => showErr(err, e));
          }})])])));
    body.appendChild(mergeCard(c, err));
    const tl = el("ol", {class: "plain", id: "ct-timeline"});
    body.appendChild(el("section", {class: "card"}, [el("h3", {text: t("ct_timeline")}), tl]));
    api("GET", "/agent/contacts/" + encodeURIComponent(c.contact_id) + "/timeline?limit=50").then((tr) => {
      clear(tl);
      (tr.timeline || []).forEach((e) => tl.appendChild(el("li", {dataset: {kind: e.kind}}, [
        el("span", {class: "muted", text: X.fmtTime(e.at) + " "}), el("span", {text: label("tl_" + e.kind, e.kind)}),
        el("span", {class: "muted", text: e.score ? " ★" + e.score : e.changes ? " " + Object.keys(e.changes).join(", ") : ""})])));
    }).catch((e) => showErr(err, e));
  }).catch((e) => showErr(err, e));
}

function mergeCard(c, err) {
  const {el, t, api, showErr, clear} = X;
  const other = el("input", {type: "text", id: "ct-merge-id", maxlength: "64", "aria-label": t("ct_merge_id")});
  const out = el("div", {id: "ct-merge-preview", "aria-live": "polite"});
  const doMerge = el("button", {type: "button", id: "ct-merge-do", class: "danger", text: t("ct_merge_do"), hidden: true});
  (c.suggestions || []).forEach((s) => { if (!other.value) other.value = s.contact_id; });
  function call(preview) {
    return api("POST", "/agent/contacts/" + encodeURIComponent(c.contact_id) + "/merge",
      {from_contact_id: other.value.trim(), preview: preview});
  }
  doMerge.addEventListener("click", () => call(false).then(() => { X.toast(t("ct_saved")); renderContacts(); }).catch((e) => showErr(err, e)));
  const hint = (c.suggestions || []).length ? el("p", {class: "muted", id: "ct-suggest", text: t("ct_suggest") + ": " +
    c.suggestions.map((s) => s.contact_id + " (" + s.because.join(", ") + ")").join("; ")}) : null;
  return el("section", {class: "card", id: "ct-merge"}, [el("h3", {text: t("ct_merge")}), hint,
    el("div", {class: "row wrap"}, [X.field(t("ct_merge_id"), other),
      el("button", {type: "button", id: "ct-merge-preview-btn", text: t("ct_preview"), onclick: () => {
        err.textContent = "";
        call(true).then((r) => {
          const p = r.preview;
          clear(out);
          out.appendChild(el("p", {text: who(p.loser) + " → " + who(p.survivor)}));
          out.appendChild(el("p", {text: t("ct_moves") + ": " + p.moves.identities.concat(p.moves.tags, p.moves.fields).join(", ")}));
          if (p.conflicts.length) out.appendChild(el("p", {text: t("ct_conflicts") + ": " +
            p.conflicts.map((x) => x.field + " = " + JSON.stringify(x.kept) + " (" + JSON.stringify(x.dropped) + ")").join("; ")}));
          doMerge.hidden = false;
        }).catch((e) => showErr(err, e));
      }}), doMerge]), out].filter(Boolean));
}

// ------------------------------------------------------------------ Leads page
function renderLeads() {
  const {el, clear, t, section, errBox, api, showErr} = X;
  const page = clear(document.getElementById("page-leads"));
  page.appendChild(section(t("page_leads")));
  const err = errBox();
  const tabs = el("div", {class: "row wrap", role: "tablist", id: "ld-tabs"});
  const list = el("ul", {class: "plain", id: "ld-list"});
  const due = el("p", {class: "muted", id: "ld-due"});
  const more = el("button", {type: "button", id: "ld-more", text: t("ct_more"), hidden: true});
  ["pool", "mine"].concat(STATUSES).forEach((b) => tabs.appendChild(el("button", {type: "button", role: "tab",
    "aria-selected": String(state.leadBucket === b), dataset: {bucket: b}, class: state.leadBucket === b ? "active" : "",
    text: b === "pool" ? t("ld_pool") : b === "mine" ? t("ld_mine") : label("ld_s_" + b, b),
    onclick: () => { state.leadBucket = b; renderLeads(); }})));
  function item(c) {
    const lead = c.lead || {};
    const li = el("li", {class: "card", dataset: {contact: c.contact_id}}, [
      el("strong", {text: who(c)}), " ",
      el("span", {class: "muted", text: [(c.emails || []).join(", "), (c.phones || []).join(", "),
        t("ld_source") + ": " + (lead.source || ""), leadText(lead)].filter(Boolean).join(" · ")}), " ",
      el("button", {type: "button", class: "link", text: t("ct_open"), onclick: () => openContact(c.contact_id)})]);
    if (!lead.owner_id) {
      li.appendChild(el("button", {type: "button", class: "primary small ld-claim", text: t("ld_claim"), onclick: () => {
        api("POST", "/agent/leads/" + encodeURIComponent(c.contact_id) + "/claim").then(() => { X.toast(t("ld_claimed")); load(false); })
          .catch((e) => { showErr(err, e); load(false); });
      }}));
      return li;
    }
    const status = el("select", {"aria-label": t("ld_status"), class: "ld-status"}, STATUSES.map((s) => el("option", {value: s, text: label("ld_s_" + s, s)})));
    status.value = lead.status;
    const note = el("input", {type: "text", class: "ld-note", maxlength: "1000", "aria-label": t("ld_note"), placeholder: t("ld_note")});
    const next = el("input", {type: "date", class: "ld-next", "aria-label": t("ld_next"),
      value: lead.next_contact_at ? new Date(lead.next_contact_at).toISOString().slice(0, 10) : ""});
    li.appendChild(el("form", {class: "row wrap", onsubmit: (ev) => {
      ev.preventDefault();
      const body = {status: status.value};
      if (note.value.trim()) body.note = note.value.trim();
      body.next_contact_at = next.value ? new Date(next.value + "T09:00:00").getTime() : null;
      api("POST", "/agent/leads/" + encodeURIComponent(c.contact_id) + "/pipeline", body).then(() => { X.toast(t("ct_saved")); load(false); })
        .catch((e) => showErr(err, e));
    }}, [X.field(t("ld_status"), status), X.field(t("ld_next"), next), X.field(t("ld_note"), note),
      el("button", {type: "submit", class: "ld-update", text: t("ld_update")})]));
    return li;
  }
  function load(append) {
    if (!state.site) return;
    const f = {site_key: state.site, bucket: state.leadBucket, limit: PAGE};
    if (append && state.leadNext) Object.assign(f, state.leadNext);
    api("GET", "/agent/leads?" + q(f)).then((r) => {
      state.leadRows = append ? state.leadRows.concat(r.contacts || []) : (r.contacts || []);
      state.leadNext = r.next || null;
      clear(list);
      state.leadRows.forEach((c) => list.appendChild(item(c)));
      if (!state.leadRows.length) list.appendChild(el("li", {class: "muted", text: t("ct_none")}));
      more.hidden = !state.leadNext;
    }).catch((e) => showErr(err, e));
    api("GET", "/agent/leads/due").then((r) => {
      due.textContent = (r.contacts || []).length ? t("ld_due") + ": " + r.contacts.map(who).join(", ") : "";
    }).catch(() => { /* reminders are optional */ });
  }
  more.addEventListener("click", () => load(true));
  page.appendChild(el("div", {class: "row wrap"}, [sitePicker(() => load(false))]));
  page.appendChild(tabs);
  page.appendChild(due);
  page.appendChild(err);
  page.appendChild(list);
  page.appendChild(more);
}

// ------------------------------------------------------------------ inbox side panel
const panelCache = {};
function sidePanel(conv, panel) {
  const {el, t, api} = X;
  if (!conv || !conv.visitor_id) return;
  const box = el("section", {class: "contact-panel", id: "ct-panel", "aria-label": t("ct_contact")}, [el("h3", {text: t("ct_contact")})]);
  panel.appendChild(box);
  function fill(c) {
    if (!c) { box.appendChild(el("p", {class: "muted", text: t("ct_no_contact")})); return; }
    box.appendChild(el("p", {id: "ct-panel-name", text: who(c)}));
    const facts = [(c.emails || []).join(", "), (c.phones || []).join(", "), (c.tags || []).join(", "),
      c.lead ? t("ct_lead") + ": " + leadText(c.lead) : "", t("ct_chats") + ": " + ((c.stats || {}).chats || 0)];
    box.appendChild(el("p", {class: "muted", id: "ct-panel-facts", text: facts.filter(Boolean).join(" · ")}));
    box.appendChild(el("button", {type: "button", class: "small", id: "ct-panel-open", text: t("ct_open"), onclick: () => openContact(c.contact_id)}));
  }
  const cached = panelCache[conv.visitor_id];
  if (cached && Date.now() - cached.at < 15000) return fill(cached.contact);
  api("GET", "/agent/contacts/by-visitor/" + encodeURIComponent(conv.visitor_id)).then((r) => {
    panelCache[conv.visitor_id] = {at: Date.now(), contact: r.contact};
    fill(r.contact);
  }).catch(() => fill(null));
}

if (X) {
  X.addStrings(EN, ZH);
  X.addPage("contacts", renderContacts);
  X.addPage("leads", renderLeads);
  X.inbox.on("visitor", sidePanel);
}
