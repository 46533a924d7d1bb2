/* Parley console: the "API channels" section of the Channels page (admins). A business's own
 * system posts its users' messages to an API channel's inbound URL, signed with the channel's
 * secret (or with a channel-scoped API key of the site): list a site's API channels, create
 * one (the signing secret is shown once), rotate its secret (shown once), delete it; the
 * inbound URL and a curl example with copy buttons (docs/channels.md). Registered through
 * window.ParleyChannels.addSection (channels.js); every value is set with textContent. */
import {departmentField, departmentSelect, showDeptError} from "./channel_department.js";

const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  ac_title: "API channels", ac_intro: "Your own app or system posts its users' messages to the inbound URL, signed with the channel's secret (X-Parley-Timestamp, X-Parley-Signature) or with a channel API key of the site (Authorization: Bearer pk_live_...). Replies reach it through webhooks.",
  ac_site: "Site", ac_name: "Name", ac_create: "Create API channel", ac_none: "No API channel for this site.",
  ac_url: "Inbound URL", ac_curl: "Example (bash, openssl, curl)", ac_copy: "Copy", ac_copied: "Copied",
  ac_secret_once: "The signing secret of “{name}”: copy it now, it is not shown again.",
  ac_rotate: "Rotate secret", ac_confirm_rotate: "Rotate the signing secret of “{name}”? The previous secret keeps working until the next rotation.",
  ac_delete: "Delete", ac_confirm_delete: "Delete the API channel “{name}”? Its messages will be refused.",
  ac_last_msg: "Last message {t}", ac_no_msg: "No message yet", ac_more: "Show more", ac_list: "API channels of the site"
};
const ZH = {
  ac_title: "API 渠道", ac_intro: "您自己的应用或系统把其用户的消息发送到接收地址,用渠道密钥签名(X-Parley-Timestamp、X-Parley-Signature),或使用本站点的渠道 API 密钥(Authorization: Bearer pk_live_...)。回复通过 Webhook 送达。",
  ac_site: "站点", ac_name: "名称", ac_create: "创建 API 渠道", ac_none: "此站点还没有 API 渠道。",
  ac_url: "接收地址", ac_curl: "示例(bash、openssl、curl)", ac_copy: "复制", ac_copied: "已复制",
  ac_secret_once: "“{name}”的签名密钥:请立即复制,之后不会再显示。",
  ac_rotate: "轮换密钥", ac_confirm_rotate: "轮换“{name}”的签名密钥?旧密钥在下次轮换前仍然有效。",
  ac_delete: "删除", ac_confirm_delete: "删除 API 渠道“{name}”?其消息将被拒绝。",
  ac_last_msg: "最后一条消息 {t}", ac_no_msg: "尚无消息", ac_more: "显示更多", ac_list: "此站点的 API 渠道"
};

const PAGE = 20;
// survives re-renders of the Channels page (language switch): a secret shown once stays
// until the next change on this section
const state = {site: "", sites: [], channels: [], shown: PAGE, once: null, base: null};


function loadBase() {
  if (state.base !== null) return Promise.resolve(state.base);
  return fetch("/config.json", {cache: "no-store"}).then((r) => (r.ok ? r.json() : null)).catch(() => null)
    .then((c) => { state.base = (c && c.api ? c.api : location.origin + "/v1").replace(/\/v1\/?$/, ""); return state.base; });
}

export function curlExample(url) {
  return [
    "BODY='{\"user\":{\"id\":\"user-1\",\"name\":\"Li Lei\"},\"text\":\"Hello\",\"client_message_id\":\"m-1\"}'",
    "TS=$(date +%s)",
    "SIG=$(printf '%s.%s' \"$TS\" \"$BODY\" | openssl dgst -sha256 -hmac \"$SECRET\" | sed 's/^.* //')",
    "curl -X POST '" + url + "' -H 'Content-Type: application/json' \\",
    "  -H \"X-Parley-Timestamp: $TS\" -H \"X-Parley-Signature: v1=$SIG\" -d \"$BODY\""
  ].join("\n");
}

function copyButton(value, id, label) {
  const {el, t} = X;
  const attrs = {type: "button", class: "small", text: t("ac_copy"), "aria-label": t("ac_copy") + ": " + label};
  if (id) attrs.id = id;
  const b = el("button", attrs);
  b.addEventListener("click", () => {
    const done = () => { b.textContent = t("ac_copied"); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(value).then(done, () => {});
    else {
      const area = el("textarea", {readonly: true, class: "offscreen"});
      area.value = value;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
      done();
    }
  });
  return b;
}

function onceBox() {
  const {el} = X;
  const o = state.once;
  const input = el("input", {type: "text", id: "ac-secret", readonly: true, class: "mono", value: o.secret, "aria-label": X.t("ac_secret_once", {name: o.name})});
  return el("div", {class: "card once", role: "status", dataset: {channel: o.id}}, [
    el("p", {text: X.t("ac_secret_once", {name: o.name})}),
    el("div", {class: "row wrap"}, [input, copyButton(o.secret, "ac-secret-copy", "secret")])]);
}

function card(ch, rerender, err) {
  const {el, t, api, showErr, fmtTime} = X;
  const url = state.base + ch.messages_path;
  const curl = curlExample(url);
  const deptErr = X.errBox();
  const act = (method, path, confirmKey, then) => () => {
    if (!window.confirm(X.t(confirmKey, {name: ch.name}))) return;
    api(method, path).then(then).catch((e) => showErr(err, e));
  };
  const rotate = act("POST", "/admin/channels/" + encodeURIComponent(ch.id) + "/rotate-secret", "ac_confirm_rotate",
    (r) => { state.once = {id: ch.id, name: ch.name, secret: r.signing_secret}; return rerender(); });
  const remove = act("DELETE", "/admin/channels/" + encodeURIComponent(ch.id), "ac_confirm_delete",
    () => { state.once = null; return rerender(); });
  return el("li", {class: "card ac-channel", dataset: {channel: ch.id}}, [
    el("div", {class: "row spread"}, [el("strong", {text: ch.name}), el("span", {class: "channel-badge ch-api", text: t("ch_api")})]),
    el("dl", {class: "kv-list"}, [
      el("dt", {text: t("ac_url")}),
      el("dd", {}, [el("code", {class: "ac-url", text: url}), copyButton(url, "", t("ac_url"))]),
      el("dt", {text: t("ac_curl")}),
      el("dd", {}, [el("pre", {class: "ac-curl", tabindex: "0", text: curl}), copyButton(curl, "", t("ac_curl"))])
    ]),
    departmentField(ch, state.sites.find((s) => s.site_key === ch.site_key), deptErr), deptErr,
    el("p", {class: "muted", text: ch.last_message_at ? X.t("ac_last_msg", {t: fmtTime(ch.last_message_at)}) : t("ac_no_msg")}),
    el("div", {class: "row wrap"}, [
      el("button", {type: "button", class: "small ac-rotate", text: t("ac_rotate"), onclick: rotate}),
      el("button", {type: "button", class: "small danger ac-delete", text: t("ac_delete"), onclick: remove})])
  ]);
}

function render(box) {
  const {el, t, clear, api, errBox, showErr, field, report} = X;
  clear(box);
  box.id = "ch-api";
  box.setAttribute("aria-labelledby", "ch-api-h");
  const err = errBox();
  const list = el("ul", {class: "wx-channels", id: "ac-list", "aria-label": t("ac_list")});
  const once = el("div", {id: "ac-once"});
  const more = el("button", {type: "button", class: "small", id: "ac-more", text: t("ac_more"), hidden: true});
  const site = el("select", {id: "ac-site"});
  const name = el("input", {type: "text", id: "ac-name", maxlength: "100", required: true});
  const deptBox = el("span");
  const deptPick = () => {     // the chosen site's departments
    clear(deptBox);
    const sel = departmentSelect(state.sites.find((s) => s.site_key === state.site), "", {id: "ac-dept"});
    deptBox.appendChild(X.field(t("cd_label"), sel));
    return sel;
  };
  let dept = null;
  const rerender = () => (box.isConnected ? load() : null);

  function show() {
    clear(list);
    clear(once);
    if (state.once) once.appendChild(onceBox());
    const chans = state.channels;
    if (!chans.length) list.appendChild(el("li", {class: "none", text: t("ac_none")}));
    chans.slice(0, state.shown).forEach((c) => list.appendChild(card(c, rerender, err)));
    more.hidden = chans.length <= state.shown;
  }
  function load() {
    if (!state.site) return Promise.resolve();
    return Promise.all([api("GET", "/admin/channels?site_key=" + encodeURIComponent(state.site)), loadBase()]).then(([r]) => {
      state.channels = (r.channels || []).filter((c) => c.kind === "api").reverse();    // newest first
      show();
    }).catch((e) => showErr(err, e));
  }
  more.addEventListener("click", () => { state.shown += PAGE; show(); });
  site.addEventListener("change", () => { state.site = site.value; state.once = null; state.shown = PAGE; dept = deptPick(); load(); });
  box.append(
    el("h3", {id: "ch-api-h", text: t("ac_title")}), el("p", {class: "muted", text: t("ac_intro")}),
    el("form", {class: "card inline-form", id: "ac-form", onsubmit: (ev) => {
      ev.preventDefault();
      err.textContent = "";
      const body = {kind: "api", site_key: state.site, name: name.value.trim()};
      if (dept && dept.value) body.department = dept.value;
      api("POST", "/admin/channels", body).then((r) => {
        state.once = {id: r.id, name: r.name, secret: r.signing_secret};
        name.value = "";
        return load();
      }).catch((e) => showDeptError(err, e));
    }}, [el("div", {class: "row wrap"}, [field(t("ac_site"), site), field(t("ac_name"), name), deptBox]), err,
      el("button", {type: "submit", class: "primary", text: t("ac_create")})]),
    once, list, more);
  const fillSites = () => {
    state.sites.forEach((s) => site.appendChild(el("option", {value: s.site_key, text: s.name ? s.name + " · " + s.site_key : s.site_key})));
    state.site = state.site || (state.sites[0] && state.sites[0].site_key) || "";
    site.value = state.site;
    dept = deptPick();
    return load();
  };
  // read afresh each time: a site's departments may have changed on the Sites page meanwhile
  api("GET", "/admin/sites").then((r) => { state.sites = r.sites || []; return fillSites(); }).catch(report);
}

if (X) {
  X.addStrings(EN, ZH);
  const register = () => { if (window.ParleyChannels) window.ParleyChannels.addSection(render); };
  if (window.ParleyChannels) register();
  else document.addEventListener("DOMContentLoaded", register, {once: true});
}
