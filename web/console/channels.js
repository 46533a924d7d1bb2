/* Parley console: the Channels page (admins): API keys for the open REST API and outgoing
 * webhooks with their delivery log (docs/webhooks.md). An ES module on the console's helpers
 * (window.ParleyConsole.ext, console.js); every value from the server is rendered with
 * textContent (the el() helper), never as HTML.
 *
 * Other channel sections (WeChat, the API channel) plug in with
 *   window.ParleyChannels.addSection(function render(container, ext) { ... })
 * each gets its own <section> below the built-in ones, re-rendered with the page. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  page_channels: "Channels", ch_keys: "API keys", ch_keys_note: "Keys call the REST API as a service (Authorization: Bearer pk_live_...). Each call is recorded in the audit log.",
  ch_key_name: "Name", ch_key_scope: "Scope", ch_key_create: "Create key", ch_key_prefix: "Key", ch_key_created: "Created",
  ch_key_used: "Last used", ch_key_status: "Status", ch_key_active: "Active", ch_key_revoked: "Revoked",
  ch_key_revoke: "Revoke", ch_key_confirm_revoke: "Revoke the key “{name}”? Calls with it stop working at once.",
  ch_key_once: "Copy this key now: it is shown only once.", ch_copy: "Copy", ch_copied: "Copied",
  "scope_read-only": "Read-only", scope_channel: "Channel (inbound messages)", scope_admin: "Admin",
  ch_no_keys: "No API keys yet.", ch_never: "never", ch_keys_more: "More keys",
  ch_hooks: "Webhooks", ch_hooks_note: "Parley POSTs the events you pick to your URL, signed with the endpoint's secret (header Parley-Signature).",
  ch_site: "Site", ch_url: "URL (https://)", ch_description: "Description", ch_events: "Event types", ch_enabled: "Enabled",
  ch_hook_create: "Add endpoint", ch_hook_save: "Save endpoint", ch_hook_new: "New endpoint", ch_hook_edit: "Edit endpoint",
  ch_secret_once: "The signing secret, shown only once: store it with your receiver.",
  ch_no_hooks: "No webhook endpoints for this site.", ch_edit: "Edit", ch_enable: "Enable", ch_disable: "Disable",
  ch_test: "Send test", ch_rotate: "Rotate secret", ch_log: "Delivery log", ch_delete: "Delete",
  ch_confirm_delete: "Delete this endpoint? Its deliveries stop.", ch_confirm_rotate: "Rotate the secret? The old one stops signing at once.",
  ch_state_on: "Enabled", ch_state_off: "Disabled", ch_state_failed: "Disabled after repeated failures",
  ch_test_ok: "Test delivered: HTTP {code}", ch_test_failed: "Test failed: {error}",
  ch_when: "When", ch_event: "Event", ch_status: "Status", ch_code: "Response", ch_attempts: "Attempts",
  ch_duration: "Time", ch_error: "Error", ch_redeliver: "Redeliver", ch_redelivered: "Redelivery queued",
  ch_no_deliveries: "No deliveries yet.", ch_close: "Close",
  dl_pending: "Pending", dl_retrying: "Retrying", dl_succeeded: "Delivered", dl_parked: "Parked",
  "act_webhook.created": "Webhook created", "act_webhook.updated": "Webhook changed", "act_webhook.deleted": "Webhook deleted",
  "act_webhook.secret_rotated": "Webhook secret rotated", "act_webhook.tested": "Webhook tested",
  "act_webhook.redelivered": "Webhook redelivered", "act_webhook.disabled": "Webhook disabled (failures)",
  "act_api_key.created": "API key created", "act_api_key.revoked": "API key revoked", "act_api_key.request": "API key call"
};
const ZH = {
  page_channels: "渠道", ch_keys: "API 密钥", ch_keys_note: "密钥以服务身份调用 REST API(Authorization: Bearer pk_live_...),每次调用都记录在审计日志中。",
  ch_key_name: "名称", ch_key_scope: "权限范围", ch_key_create: "创建密钥", ch_key_prefix: "密钥", ch_key_created: "创建时间",
  ch_key_used: "最近使用", ch_key_status: "状态", ch_key_active: "有效", ch_key_revoked: "已吊销",
  ch_key_revoke: "吊销", ch_key_confirm_revoke: "吊销密钥“{name}”?使用它的调用将立即失效。",
  ch_key_once: "请立即复制此密钥:它只显示这一次。", ch_copy: "复制", ch_copied: "已复制",
  "scope_read-only": "只读", scope_channel: "渠道(接收消息)", scope_admin: "管理员",
  ch_no_keys: "还没有 API 密钥。", ch_never: "从未", ch_keys_more: "更多密钥",
  ch_hooks: "Webhook", ch_hooks_note: "Parley 将您选择的事件 POST 到您的地址,并用该端点的密钥签名(请求头 Parley-Signature)。",
  ch_site: "站点", ch_url: "地址(https://)", ch_description: "说明", ch_events: "事件类型", ch_enabled: "启用",
  ch_hook_create: "添加端点", ch_hook_save: "保存端点", ch_hook_new: "新端点", ch_hook_edit: "编辑端点",
  ch_secret_once: "签名密钥只显示这一次:请保存到您的接收端。",
  ch_no_hooks: "此站点还没有 Webhook 端点。", ch_edit: "编辑", ch_enable: "启用", ch_disable: "停用",
  ch_test: "发送测试", ch_rotate: "轮换密钥", ch_log: "投递记录", ch_delete: "删除",
  ch_confirm_delete: "删除此端点?其投递将停止。", ch_confirm_rotate: "轮换密钥?旧密钥立即停止签名。",
  ch_state_on: "已启用", ch_state_off: "已停用", ch_state_failed: "因持续失败已自动停用",
  ch_test_ok: "测试已送达:HTTP {code}", ch_test_failed: "测试失败:{error}",
  ch_when: "时间", ch_event: "事件", ch_status: "状态", ch_code: "响应", ch_attempts: "尝试次数",
  ch_duration: "耗时", ch_error: "错误", ch_redeliver: "重新投递", ch_redelivered: "已加入重新投递",
  ch_no_deliveries: "还没有投递记录。", ch_close: "关闭",
  dl_pending: "等待中", dl_retrying: "重试中", dl_succeeded: "已送达", dl_parked: "已搁置",
  "act_webhook.created": "创建 Webhook", "act_webhook.updated": "修改 Webhook", "act_webhook.deleted": "删除 Webhook",
  "act_webhook.secret_rotated": "轮换 Webhook 密钥", "act_webhook.tested": "测试 Webhook",
  "act_webhook.redelivered": "重新投递 Webhook", "act_webhook.disabled": "Webhook 因失败停用",
  "act_api_key.created": "创建 API 密钥", "act_api_key.revoked": "吊销 API 密钥", "act_api_key.request": "API 密钥调用"
};

const DELIVERY_PAGE = 20;
const SCOPES = ["read-only", "channel", "admin"];
const FAMILIES = ["conversation.*", "ticket.*", "contact.*"];
// survives re-renders (language switch, revisits); a secret shown once stays until the next change
const state = {site: "", sites: [], keys: [], keysCursor: null, hooks: [], types: [], editing: null, log: null};
const extraSections = [];

function onceBox(label, value, id) {
  const {el, t} = X;
  const input = el("input", {type: "text", id, readonly: true, value, "aria-label": label, class: "mono"});
  const copy = el("button", {type: "button", id: id + "-copy", text: t("ch_copy"), onclick: () => {
    const done = () => { copy.textContent = t("ch_copied"); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(value).then(done, () => { input.select(); document.execCommand("copy"); done(); });
    else { input.select(); document.execCommand("copy"); done(); }
  }});
  return el("div", {class: "card once", role: "status"}, [el("p", {text: label}), el("div", {class: "row wrap"}, [input, copy])]);
}

/* ---------------------------------------------------------------- API keys */
let keySite = null;
function fillKeySites() {
  if (!keySite) return;
  const {el, clear} = X;
  const keep = keySite.value;
  clear(keySite);
  state.sites.forEach((s) => keySite.appendChild(el("option", {value: s.site_key, text: s.name ? s.name + " · " + s.site_key : s.site_key})));
  keySite.value = keep || state.site;
}

function keysSection(container) {
  const {api, t, el, clear, errBox, showErr, field, fmtTime} = X;
  const box = el("section", {id: "ch-keys", "aria-labelledby": "ch-keys-h"});
  container.appendChild(box);
  const err = errBox();
  const once = el("div", {id: "ch-key-once"});
  const tbody = el("tbody", {id: "ch-key-rows"});
  const empty = el("p", {class: "muted", text: t("ch_no_keys"), hidden: true});
  const name = el("input", {type: "text", id: "ch-key-name", maxlength: 80, required: true});
  const scope = el("select", {id: "ch-key-scope"}, SCOPES.map((s) => el("option", {value: s, text: t("scope_" + s)})));
  // a channel key belongs to one site: it posts only to that site's API channels
  keySite = el("select", {id: "ch-key-site"});
  const siteField = field(t("ch_site"), keySite);
  const syncSite = () => { siteField.hidden = scope.value !== "channel"; };
  scope.addEventListener("change", syncSite);
  fillKeySites();
  syncSite();

  function show() {
    clear(tbody);
    empty.hidden = state.keys.length > 0;
    state.keys.forEach((k) => tbody.appendChild(el("tr", {dataset: {key: k.id}}, [
      el("td", {text: k.name}), el("td", {text: t("scope_" + k.scope) + (k.site_key ? " · " + k.site_key : "")}), el("td", {class: "mono", text: k.prefix + "…"}),
      el("td", {text: fmtTime(k.created_at)}), el("td", {text: k.last_used_at ? fmtTime(k.last_used_at) : t("ch_never")}),
      el("td", {text: k.active ? t("ch_key_active") : t("ch_key_revoked")}),
      el("td", {}, [k.active ? el("button", {type: "button", class: "small danger", text: t("ch_key_revoke"), onclick: () => {
        if (!window.confirm(t("ch_key_confirm_revoke", {name: k.name}))) return;
        api("DELETE", "/admin/api-keys/" + encodeURIComponent(k.id)).then(() => load()).catch((e) => showErr(err, e));
      }}) : null])
    ])));
  }
  // pages of 50 (GET /admin/api-keys?cursor=): "More keys" appends the next one
  const more = el("button", {type: "button", class: "small", id: "ch-keys-more", text: t("ch_keys_more"), hidden: true,
    onclick: () => load(state.keysCursor)});
  function load(cursor) {
    const path = "/admin/api-keys" + (cursor ? "?cursor=" + encodeURIComponent(cursor) : "");
    return api("GET", path).then((r) => {
      state.keys = (cursor ? state.keys : []).concat(r.api_keys || []);
      state.keysCursor = r.cursor || null;
      more.hidden = !state.keysCursor;
      show();
    }).catch((e) => showErr(err, e));
  }
  box.append(
    el("h3", {id: "ch-keys-h", text: t("ch_keys")}), el("p", {class: "muted", text: t("ch_keys_note")}),
    el("form", {class: "card inline-form", id: "ch-key-form", onsubmit: (ev) => {
      ev.preventDefault();
      err.textContent = "";
      const body = {name: name.value, scope: scope.value};
      if (scope.value === "channel") body.site_key = keySite.value;
      api("POST", "/admin/api-keys", body).then((r) => {
        clear(once).appendChild(onceBox(t("ch_key_once"), r.key, "ch-key-value"));
        name.value = "";
        return load().then(() => {      // the new key stays in view, whichever page it sorts to
          if (r.api_key && !state.keys.some((k) => k.id === r.api_key.id)) { state.keys.unshift(r.api_key); show(); }
        });
      }).catch((e) => showErr(err, e));
    }}, [el("div", {class: "row wrap"}, [field(t("ch_key_name"), name), field(t("ch_key_scope"), scope), siteField]), err,
      el("button", {type: "submit", class: "primary", text: t("ch_key_create")})]),
    once,
    el("div", {class: "scroll-x"}, [el("table", {class: "grid", id: "ch-key-table"}, [
      el("thead", {}, [el("tr", {}, ["ch_key_name", "ch_key_scope", "ch_key_prefix", "ch_key_created", "ch_key_used", "ch_key_status", "ch_key_revoke"]
        .map((k) => el("th", {scope: "col", text: t(k)})))]), tbody])]),
    more, empty);
  show();
  load();
}

/* ---------------------------------------------------------------- webhooks */
function hookForm(t, onSaved, err) {
  const {api, el, field, showErr} = X;
  const h = state.editing && state.editing !== "new" ? state.hooks.find((x) => x.id === state.editing) : null;
  const url = el("input", {type: "url", id: "ch-hook-url", maxlength: 2000, required: true, value: h ? h.url : "", placeholder: "https://"});
  const desc = el("input", {type: "text", id: "ch-hook-desc", maxlength: 200, value: h ? h.description : ""});
  const enabled = el("input", {type: "checkbox", id: "ch-hook-enabled"});
  enabled.checked = h ? h.enabled : true;
  const picked = new Set(h ? h.events : ["message.created"]);
  const boxes = state.types.concat(FAMILIES).map((type) => {
    const cb = el("input", {type: "checkbox", value: type, name: "ch-event"});
    cb.checked = picked.has(type);
    return el("label", {class: "check"}, [cb, el("span", {class: "mono", text: type})]);
  });
  return el("form", {class: "card", id: "ch-hook-form", onsubmit: (ev) => {
    ev.preventDefault();
    err.textContent = "";
    const events = Array.from(ev.target.querySelectorAll("input[name=ch-event]:checked")).map((c) => c.value);
    const body = {url: url.value.trim(), description: desc.value, events, enabled: enabled.checked};
    const call = h ? api("PATCH", "/admin/webhooks/" + h.id, body) : api("POST", "/admin/webhooks", Object.assign({site_key: state.site}, body));
    call.then(onSaved).catch((e) => showErr(err, e));
  }}, [el("h4", {text: t(h ? "ch_hook_edit" : "ch_hook_new")}),
    field(t("ch_url"), url), field(t("ch_description"), desc),
    el("fieldset", {class: "events"}, [el("legend", {text: t("ch_events")})].concat(boxes)),
    el("label", {class: "check"}, [enabled, el("span", {text: t("ch_enabled")})]), err,
    el("div", {class: "row wrap"}, [el("button", {type: "submit", class: "primary", text: t(h ? "ch_hook_save" : "ch_hook_create")}),
      el("button", {type: "button", text: X.t("cancel"), onclick: () => { state.editing = null; renderHooks(); }})])]);
}

function deliveryLog(hook, box) {
  const {api, t, el, clear, errBox, showErr, fmtTime, toast} = X;
  const log = state.log && state.log.hook === hook.id ? state.log : (state.log = {hook: hook.id, items: [], cursor: null});
  const err = errBox();
  const tbody = el("tbody", {id: "ch-dl-rows"});
  const more = el("button", {type: "button", id: "ch-dl-more", text: t("load_more"), hidden: true, onclick: () => load(true)});
  const empty = el("p", {class: "muted", text: t("ch_no_deliveries"), hidden: true});
  function show() {
    clear(tbody);
    log.items.forEach((d) => tbody.appendChild(el("tr", {dataset: {delivery: d.id, status: d.status}}, [
      el("td", {text: fmtTime(d.created_at)}), el("td", {class: "mono", text: d.event_type}),
      el("td", {text: t("dl_" + d.status)}), el("td", {class: "code", text: d.response_code == null ? "—" : String(d.response_code)}),
      el("td", {text: String(d.attempts)}), el("td", {text: d.duration_ms == null ? "" : d.duration_ms + " ms"}),
      el("td", {text: d.error || ""}),
      el("td", {}, [d.status === "succeeded" || d.status === "parked" ? el("button", {type: "button", class: "small", text: t("ch_redeliver"), onclick: () => {
        api("POST", "/admin/webhooks/" + hook.id + "/deliveries/" + encodeURIComponent(d.id) + "/redeliver", {})
          .then(() => toast(t("ch_redelivered"))).catch((e) => showErr(err, e));
      }}) : null])])));
    more.hidden = !log.cursor;
    empty.hidden = log.items.length > 0;
  }
  function load(append) {
    const q = "?limit=" + DELIVERY_PAGE + (append && log.cursor ? "&cursor=" + encodeURIComponent(log.cursor) : "");
    return api("GET", "/admin/webhooks/" + hook.id + "/deliveries" + q).then((r) => {
      log.items = append ? log.items.concat(r.deliveries || []) : (r.deliveries || []);
      log.cursor = r.next_cursor || null;
      show();
    }).catch((e) => showErr(err, e));
  }
  box.append(el("div", {class: "card", id: "ch-dl"}, [
    el("div", {class: "row spread"}, [el("h4", {text: t("ch_log") + " · " + hook.url}),
      el("button", {type: "button", class: "small", id: "ch-dl-close", text: t("ch_close"), onclick: () => { state.log = null; renderHooks(); }})]),
    err, el("div", {class: "scroll-x"}, [el("table", {class: "grid", id: "ch-dl-table"}, [
      el("thead", {}, [el("tr", {}, ["ch_when", "ch_event", "ch_status", "ch_code", "ch_attempts", "ch_duration", "ch_error", "ch_redeliver"]
        .map((k) => el("th", {scope: "col", text: t(k)})))]), tbody])]), empty, more]));
  show();
  load(false);
}

let hooksBox = null;
function renderHooks() { if (hooksBox) hooksSection(hooksBox); }

function hooksSection(box) {
  const {api, t, el, clear, errBox, showErr, field, toast} = X;
  clear(box);
  if (!state.sites.length) return;
  const err = errBox();
  const once = el("div", {id: "ch-hook-once"});
  const list = el("ul", {class: "plain", id: "ch-hook-list"});
  const site = el("select", {id: "ch-site"}, state.sites.map((s) => el("option", {value: s.site_key, text: s.name ? s.name + " · " + s.site_key : s.site_key})));
  site.value = state.site;
  site.addEventListener("change", () => { state.site = site.value; state.editing = null; state.log = null; renderHooks(); });

  function stateText(h) {
    if (h.enabled) return t("ch_state_on");
    return h.disabled_reason === "sustained_failure" ? t("ch_state_failed") : t("ch_state_off");
  }
  function act(label, fn, cls) { return el("button", {type: "button", class: "small " + (cls || ""), text: t(label), onclick: fn}); }
  function saved(r) {
    state.editing = null;
    if (r && r.secret) state.secretShown = {id: r.webhook.id, secret: r.secret};
    renderHooks();
  }
  function show() {
    clear(list);
    if (!state.hooks.length) list.appendChild(el("li", {class: "muted", text: t("ch_no_hooks")}));
    state.hooks.forEach((h) => list.appendChild(el("li", {class: "card hook", dataset: {hook: h.id}}, [
      el("div", {class: "row spread wrap"}, [el("strong", {class: "mono url", text: h.url}), el("span", {class: "chip " + (h.enabled ? "ok" : "off"), text: stateText(h)})]),
      h.description ? el("p", {class: "muted", text: h.description}) : null,
      el("p", {class: "mono small", text: h.events.join(", ")}),
      el("div", {class: "row wrap"}, [
        act("ch_log", () => { state.log = {hook: h.id, items: [], cursor: null}; renderHooks(); }),
        act("ch_edit", () => { state.editing = h.id; renderHooks(); }),
        act(h.enabled ? "ch_disable" : "ch_enable", () => api("PATCH", "/admin/webhooks/" + h.id, {enabled: !h.enabled}).then(load).catch((e) => showErr(err, e))),
        act("ch_test", () => api("POST", "/admin/webhooks/" + h.id + "/test", {}).then((r) => {
          toast(r.ok ? t("ch_test_ok", {code: r.status_code}) : t("ch_test_failed", {error: r.error || r.status_code}), r.ok ? "" : "error");
          if (state.log && state.log.hook === h.id) renderHooks();
        }).catch((e) => showErr(err, e))),
        act("ch_rotate", () => { if (window.confirm(t("ch_confirm_rotate"))) api("POST", "/admin/webhooks/" + h.id + "/rotate-secret", {}).then(saved).catch((e) => showErr(err, e)); }),
        act("ch_delete", () => { if (window.confirm(t("ch_confirm_delete"))) api("DELETE", "/admin/webhooks/" + h.id).then(load).catch((e) => showErr(err, e)); }, "danger")])])));
    const shown = state.secretShown;
    clear(once);
    if (shown && state.hooks.some((h) => h.id === shown.id)) once.appendChild(onceBox(t("ch_secret_once"), shown.secret, "ch-hook-secret"));
  }
  // "Add" waits for the event types (the form's checkboxes) of the first load
  const addBtn = el("button", {type: "button", id: "ch-hook-add", class: "primary", text: t("ch_hook_create"), onclick: () => { state.editing = "new"; renderHooks(); }});
  addBtn.disabled = !(state.types && state.types.length);
  function load() {
    if (!state.site) return Promise.resolve();
    return api("GET", "/admin/webhooks?site_key=" + encodeURIComponent(state.site)).then((r) => {
      const hadTypes = state.types && state.types.length;
      state.hooks = r.webhooks || [];
      state.types = r.event_types || [];
      addBtn.disabled = !state.types.length;
      // a form opened meanwhile keeps what was typed in it: it is drawn again only when it
      // was drawn before the event types were known
      if (state.editing) { if (!hadTypes) renderHooks(); return; }
      show();
    }).catch((e) => showErr(err, e));
  }
  box.append(el("h3", {id: "ch-hooks-h", text: t("ch_hooks")}), el("p", {class: "muted", text: t("ch_hooks_note")}),
    el("div", {class: "row wrap"}, [field(t("ch_site"), site), addBtn]),
    err, once);
  if (state.editing) {
    box.appendChild(hookForm(t, saved, errBox()));
    const first = document.getElementById("ch-hook-url");
    if (first) first.focus();            // keyboard users land in the form they opened
  }
  box.appendChild(list);
  const current = state.log && state.hooks.find((h) => h.id === state.log.hook);
  if (current) deliveryLog(current, box);
  show();
  if (!state.editing) load();
}

function renderChannels() {
  const {api, t, el, clear, section, report} = X;
  const page = clear(document.getElementById("page-channels"));
  page.appendChild(section(t("page_channels")));
  keysSection(page);
  hooksBox = el("section", {id: "ch-hooks", "aria-labelledby": "ch-hooks-h"});
  page.appendChild(hooksBox);
  if (!state.sites.length) {
    api("GET", "/admin/sites").then((r) => {
      state.sites = r.sites || [];
      state.site = state.site || (state.sites[0] && state.sites[0].site_key) || "";
      fillKeySites();
      renderHooks();
    }).catch(report);
  } else {
    renderHooks();
  }
  extraSections.forEach((fn) => {
    const box = el("section", {class: "channel-extra"});
    page.appendChild(box);
    try { fn(box, X); } catch (e) { report(e); }
  });
}

window.ParleyChannels = {
  /* fn(container, ext): render one more channel section (WeChat, the API channel...) */
  addSection(fn) {
    extraSections.push(fn);
    const page = document.getElementById("page-channels");
    if (page && !page.hidden && page.firstChild) renderChannels();
  }
};

if (X) {
  X.addStrings(EN, ZH);
  X.addPage("channels", renderChannels);
}
