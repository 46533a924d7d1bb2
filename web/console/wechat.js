/* Parley console: channels in the inbox (badges, the WeChat 48-hour window, delivery
 * failures) and the WeChat setup (admins: a guided checklist of what to paste where), a
 * section of the Channels page (window.ParleyChannels.addSection, channels.js).
 * An ES module on the console's plug-in points (window.ParleyConsole.ext); every value from
 * the server is set with textContent (the el() helper), never as HTML. */
import {departmentField, departmentSelect, showDeptError} from "./channel_department.js";

const X = window.ParleyConsole && window.ParleyConsole.ext;

const WINDOW_MS = 48 * 3600 * 1000;
const EN = {
  page_wechat: "WeChat", ch_web: "Web", ch_wechat: "WeChat", ch_wechat_mp: "Mini Program", ch_api: "API",
  wx_window_left: "WeChat reply window: {t} left", wx_window_expired: "WeChat reply window closed",
  wx_composer_warn: "The customer last wrote over 48 hours ago: WeChat will not deliver replies until they write again.",
  wx_composer_soon: "Less than an hour left to reply on WeChat.",
  wx_delivery_failed: "Not delivered to {ch} ({why})", why_window_expired: "48-hour window closed",
  why_window_quota: "message limit for this window reached", why_other: "channel error after retries",
  wx_title: "WeChat Official Account / Mini Program", wx_intro: "Connect a WeChat Official Account (公众号) or a Mini Program's customer service so its messages land in this inbox. Follow the steps in order.",
  wx_step1: "1. In the WeChat admin (mp.weixin.qq.com) open Settings & Development → Basic configuration. Copy the AppID and AppSecret into the form below.",
  wx_step2: "2. Still there, under Server configuration: paste the server URL, the token and the EncodingAESKey shown for the channel, pick the same message encryption mode, and submit.",
  wx_step3: "3. WeChat checks the URL at once: the status below turns to “URL verified”.",
  wx_step4: "4. Send the account a message from a phone: the status shows the time of the last message, and the chat appears in the inbox with a WeChat badge.",
  wx_ip_note: "Also add your API's outgoing IP addresses to the IP whitelist, or WeChat refuses access tokens.",
  wx_channels: "Connected channels", wx_none: "No WeChat channel yet.", wx_add: "Connect a WeChat account",
  wx_name: "Name", wx_site: "Site", wx_kind: "Type", wx_kind_oa: "Official Account (公众号)", wx_kind_mp: "Mini Program (小程序)",
  wx_app_id: "AppID", wx_app_secret: "AppSecret", wx_token: "Token (3-32 letters and digits)",
  wx_aes: "EncodingAESKey (43 characters)", wx_generate: "Generate", wx_mode: "Message encryption",
  wx_mode_plain: "Plaintext (明文模式)", wx_mode_compat: "Compatible (兼容模式)", wx_mode_safe: "Safe (安全模式, recommended)",
  wx_format: "Data format (Mini Programs)", wx_connect: "Connect",
  wx_server_url: "Server URL (服务器地址)", wx_copy: "Copy", wx_copied: "Copied",
  wx_verified: "URL verified {t}", wx_not_verified: "URL not verified yet", wx_last_msg: "Last message {t}",
  wx_no_msg: "No message yet", wx_secrets_stored: "Stored secrets: {list} (never shown again)",
  wx_disconnect: "Disconnect", wx_confirm_disconnect: "Disconnect this channel? WeChat messages will no longer arrive.",
  wx_token_aes_hint: "Type the same token and key here and in the WeChat admin; Generate makes good ones."
};
const ZH = {
  page_wechat: "微信", ch_web: "网页", ch_wechat: "微信公众号", ch_wechat_mp: "小程序", ch_api: "API",
  wx_window_left: "微信回复窗口:剩余 {t}", wx_window_expired: "微信回复窗口已关闭",
  wx_composer_warn: "客户最后一条消息已超过 48 小时:在客户再次发消息前,微信不会送达回复。",
  wx_composer_soon: "微信回复窗口不足一小时。",
  wx_delivery_failed: "未能送达{ch}({why})", why_window_expired: "48 小时窗口已关闭",
  why_window_quota: "本窗口的消息条数已达上限", why_other: "多次重试后渠道仍出错",
  wx_title: "微信公众号 / 小程序", wx_intro: "接入微信公众号或小程序客服消息,消息将进入本收件箱。请按顺序完成以下步骤。",
  wx_step1: "1. 登录微信公众平台(mp.weixin.qq.com),进入“设置与开发 → 基本配置”,将 AppID 和 AppSecret 填入下方表单。",
  wx_step2: "2. 在同一页面的“服务器配置”中,填入本渠道的服务器地址(URL)、令牌(Token)和消息加解密密钥(EncodingAESKey),选择相同的消息加解密方式并提交。",
  wx_step3: "3. 微信会立即校验该地址:下方状态将显示“地址已验证”。",
  wx_step4: "4. 用手机给公众号发一条消息:状态会显示最后一条消息的时间,会话会带着微信标记出现在收件箱中。",
  wx_ip_note: "另请把 API 的出口 IP 加入“IP 白名单”,否则微信会拒绝发放 access_token。",
  wx_channels: "已接入的渠道", wx_none: "还没有微信渠道。", wx_add: "接入微信账号",
  wx_name: "名称", wx_site: "站点", wx_kind: "类型", wx_kind_oa: "公众号", wx_kind_mp: "小程序",
  wx_app_id: "AppID", wx_app_secret: "AppSecret", wx_token: "令牌 Token(3-32 位字母或数字)",
  wx_aes: "消息加解密密钥 EncodingAESKey(43 位)", wx_generate: "生成", wx_mode: "消息加解密方式",
  wx_mode_plain: "明文模式", wx_mode_compat: "兼容模式", wx_mode_safe: "安全模式(推荐)",
  wx_format: "数据格式(小程序)", wx_connect: "接入",
  wx_server_url: "服务器地址(URL)", wx_copy: "复制", wx_copied: "已复制",
  wx_verified: "地址已验证 {t}", wx_not_verified: "地址尚未验证", wx_last_msg: "最后一条消息 {t}",
  wx_no_msg: "尚无消息", wx_secrets_stored: "已保存的密钥:{list}(不会再次显示)",
  wx_disconnect: "断开", wx_confirm_disconnect: "断开此渠道?将不再接收微信消息。",
  wx_token_aes_hint: "此处与微信后台需填写相同的令牌和密钥;点击“生成”可得到合格的值。"
};

// ------------------------------------------------------------------ helpers
export function windowState(lastUserAt, now) {
  if (!lastUserAt) return {open: false, remaining: 0};
  const remaining = Math.max(0, lastUserAt + WINDOW_MS - now);
  return {open: remaining > 0, remaining};
}

function fmtLeft(ms) {
  const m = Math.floor(ms / 60000), h = Math.floor(m / 60);
  return h ? h + "h " + (m % 60) + "m" : m + "m";
}

function channelLabel(kind) {
  const key = "ch_" + (kind || "web");
  const label = X.t(key);
  return label === key ? String(kind) : label;
}

// the user's last message per conversation, as the console has seen it (attrs.last_user_at
// is written without a state push, so the messages rendered since are counted too)
const lastSeen = {};

function lastUserAt(c) {
  return Math.max(Number((c.attrs || {}).last_user_at || 0), lastSeen[c.conversation_id] || 0);
}

function isWeChat(c) { return c && (c.channel === "wechat" || c.channel === "wechat_mp"); }

// ------------------------------------------------------------------ inbox plug-ins
function badge(kind) {
  return X.el("span", {class: "chip channel-badge ch-" + kind, dataset: {channel: kind}, text: channelLabel(kind)});
}

function relabelFilter() {
  const select = document.getElementById("f-channel");
  if (!select) return;
  Array.prototype.forEach.call(select.options, (o) => {
    if (o.value && o.textContent !== channelLabel(o.value)) o.textContent = channelLabel(o.value);
  });
}

function windowBox(c) {
  const st = windowState(lastUserAt(c), Date.now());
  return X.el("span", {class: "chip wx-window " + (st.open ? "open" : "expired"), role: "status",
    dataset: {expired: st.open ? "0" : "1"},
    text: st.open ? X.t("wx_window_left", {t: fmtLeft(st.remaining)}) : X.t("wx_window_expired")});
}

function composerWarning(c) {
  const composer = document.getElementById("composer");
  if (!composer) return;
  let box = document.getElementById("wx-composer-warn");
  if (!box) {
    box = X.el("p", {id: "wx-composer-warn", class: "wx-warn", role: "alert"});
    composer.insertBefore(box, composer.firstChild);
  }
  const st = isWeChat(c) ? windowState(lastUserAt(c), Date.now()) : null;
  box.hidden = !st || (st.open && st.remaining > 3600 * 1000);
  box.textContent = !st ? "" : (st.open ? X.t("wx_composer_soon") : X.t("wx_composer_warn"));
}

function failureText(m) {
  const e = m.event || {};
  const why = "why_" + e.reason;
  const label = X.t(why);
  return X.t("wx_delivery_failed", {ch: channelLabel(e.channel), why: label === why ? X.t("why_other") : label});
}

function installInbox() {
  const inbox = X.inbox;
  inbox.on("item", (c, li) => {
    relabelFilter();
    const kind = c.channel || "web";
    if (kind === "web") return;
    const meta = li.querySelector(".meta") || li;
    meta.appendChild(badge(kind));
  });
  inbox.on("header", (c, box) => {
    if ((c.channel || "web") !== "web") box.appendChild(badge(c.channel));
    if (isWeChat(c)) box.appendChild(windowBox(c));
    composerWarning(c);
  });
  inbox.on("message", (m, li, c) => {
    if (m.sender && m.sender.type === "visitor" && c) {
      lastSeen[c.conversation_id] = Math.max(lastSeen[c.conversation_id] || 0, m.created_at || 0);
    }
    if (m.type === "event" && (m.event || {}).kind === "channel_delivery_failed") {
      li.classList.add("delivery-failed");
      const span = li.querySelector("span");
      if (span) span.textContent = failureText(m);
    }
  });
  inbox.on("event", (ev) => {
    const m = ev && ev.type === "message" && ev.message;
    if (!m) return;
    const cur = inbox.current();
    if (cur && cur.conversation_id === ev.conversation_id && isWeChat(cur) &&
        m.sender && m.sender.type === "visitor") {
      lastSeen[cur.conversation_id] = Math.max(lastSeen[cur.conversation_id] || 0, m.created_at || 0);
    }
  });
  const select = document.getElementById("f-channel");
  if (select && window.MutationObserver) new MutationObserver(relabelFilter).observe(select, {childList: true});
  // the time left moves on by itself: refresh the header's window once a minute
  setInterval(() => {
    const cur = inbox.current();
    if (cur && isWeChat(cur)) {
      const old = document.querySelector("#conv-ext .wx-window");
      if (old) old.replaceWith(windowBox(cur));
      composerWarning(cur);
    }
  }, 60000);
}

// ------------------------------------------------------------------ the setup page
let apiBase = null;
function loadApiBase() {
  if (apiBase !== null) return Promise.resolve(apiBase);
  return fetch("/config.json", {cache: "no-store"}).then((r) => (r.ok ? r.json() : null)).catch(() => null)
    .then((c) => { apiBase = (c && c.api ? c.api : location.origin + "/v1").replace(/\/v1\/?$/, ""); return apiBase; });
}

function randomToken(n, alphabet) {
  const a = alphabet || "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => a[b % a.length]).join("");
}

function copyButton(value) {
  const b = X.el("button", {type: "button", class: "small", text: X.t("wx_copy"), onclick: () => {
    (navigator.clipboard ? navigator.clipboard.writeText(value) : Promise.reject()).then(() => X.toast(X.t("wx_copied")), () => {});
  }});
  return b;
}

function channelCard(ch, base, site) {
  const {el, t, fmtTime, errBox} = X;
  const err = errBox();
  const url = base + ch.server_path;
  const stored = Object.keys(ch.configured || {}).filter((k) => ch.configured[k]).join(", ");
  const steps = el("ul", {class: "wx-status"}, [
    el("li", {class: ch.verified_at ? "done" : "todo", text: ch.verified_at ? t("wx_verified", {t: fmtTime(ch.verified_at)}) : t("wx_not_verified")}),
    el("li", {class: ch.last_message_at ? "done" : "todo", text: ch.last_message_at ? t("wx_last_msg", {t: fmtTime(ch.last_message_at)}) : t("wx_no_msg")})
  ]);
  return el("li", {class: "card wx-channel", dataset: {channel: ch.id}}, [
    el("div", {class: "row spread"}, [el("strong", {text: ch.name}), badge(ch.kind)]),
    el("dl", {class: "kv-list"}, [
      el("dt", {text: t("wx_server_url")}), el("dd", {}, [el("code", {class: "wx-url", text: url}), copyButton(url)]),
      el("dt", {text: t("wx_app_id")}), el("dd", {text: ch.app_id || ""}),
      el("dt", {text: t("wx_mode")}), el("dd", {text: t("wx_mode_" + (ch.mode || "compat"))}),
      el("dt", {text: t("wx_site")}), el("dd", {text: ch.site_key})
    ]),
    departmentField(ch, site, err), err,
    el("p", {class: "muted", text: t("wx_secrets_stored", {list: stored || "—"})}),
    steps,
    el("button", {type: "button", class: "small danger", text: t("wx_disconnect"), onclick: () => {
      if (!window.confirm(t("wx_confirm_disconnect"))) return;
      X.api("DELETE", "/admin/channels/" + encodeURIComponent(ch.id)).then(rerender).catch(X.report);
    }})
  ]);
}

function addForm(sites, onDone) {
  const {el, t, field, errBox} = X;
  const name = el("input", {type: "text", required: true, maxlength: "100", id: "wx-name"});
  const site = el("select", {id: "wx-site"});
  sites.forEach((s) => site.appendChild(el("option", {value: s.site_key, text: s.site_key})));
  const deptBox = el("div");
  let dept = null;
  const deptPick = () => {     // the chosen site's departments
    X.clear(deptBox);
    dept = departmentSelect(sites.find((s) => s.site_key === site.value), "", {id: "wx-dept"});
    deptBox.appendChild(field(t("cd_label"), dept));
  };
  site.addEventListener("change", deptPick);
  deptPick();
  const kind = el("select", {id: "wx-kind"}, [el("option", {value: "wechat", text: t("wx_kind_oa")}),
    el("option", {value: "wechat_mp", text: t("wx_kind_mp")})]);
  const appId = el("input", {type: "text", required: true, pattern: "wx[A-Za-z0-9]{14,30}", id: "wx-app-id", autocomplete: "off"});
  const secret = el("input", {type: "password", required: true, pattern: "[A-Za-z0-9]{16,64}", id: "wx-app-secret", autocomplete: "off"});
  const token = el("input", {type: "text", required: true, pattern: "[A-Za-z0-9]{3,32}", id: "wx-token", autocomplete: "off"});
  const aes = el("input", {type: "text", pattern: "[A-Za-z0-9]{43}", id: "wx-aes", autocomplete: "off", maxlength: "43"});
  const mode = el("select", {id: "wx-mode"}, ["safe", "compat", "plain"].map((m) => el("option", {value: m, text: t("wx_mode_" + m)})));
  const format = el("select", {id: "wx-format"}, [el("option", {value: "xml", text: "XML"}), el("option", {value: "json", text: "JSON"})]);
  const err = errBox();
  const gen = (input, n) => el("button", {type: "button", class: "small", text: t("wx_generate"), "aria-label": t("wx_generate") + ": " + input.id,
    onclick: () => { input.value = randomToken(n); }});
  return el("form", {class: "card wx-form", onsubmit: (e) => {
    e.preventDefault();
    const body = {kind: kind.value, site_key: site.value, name: name.value.trim(), app_id: appId.value.trim(),
      app_secret: secret.value.trim(), token: token.value.trim(), mode: mode.value};
    if (aes.value.trim()) body.encoding_aes_key = aes.value.trim();
    if (kind.value === "wechat_mp") body.format = format.value;
    if (dept.value) body.department = dept.value;
    X.api("POST", "/admin/channels", body).then(() => { secret.value = ""; onDone(); }).catch((e2) => showDeptError(err, e2));
  }}, [el("h4", {text: t("wx_add")}), field(t("wx_name"), name), field(t("wx_site"), site), deptBox, field(t("wx_kind"), kind),
    field(t("wx_app_id"), appId), field(t("wx_app_secret"), secret),
    el("p", {class: "muted", text: t("wx_token_aes_hint")}),
    el("div", {class: "row"}, [field(t("wx_token"), token), gen(token, 32)]),
    el("div", {class: "row"}, [field(t("wx_aes"), aes), gen(aes, 43)]),
    field(t("wx_mode"), mode), field(t("wx_format"), format), err,
    el("button", {type: "submit", class: "primary", text: t("wx_connect")})]);
}

let wxBox = null;
function rerender() { if (wxBox && wxBox.isConnected) renderWeChat(wxBox); }

/* The setup, rendered into its section of the Channels page. */
function renderWeChat(box) {
  const {el, t, clear, api, report} = X;
  wxBox = box;
  const page = clear(box);
  page.id = "ch-wechat";
  page.setAttribute("aria-labelledby", "ch-wechat-h");
  page.appendChild(el("h3", {id: "ch-wechat-h", text: t("wx_title")}));
  page.appendChild(el("p", {text: t("wx_intro")}));
  page.appendChild(el("ol", {class: "wx-checklist"}, ["wx_step1", "wx_step2", "wx_step3", "wx_step4"]
    .map((k) => el("li", {text: t(k)}))));
  page.appendChild(el("p", {class: "muted", text: t("wx_ip_note")}));
  const list = el("ul", {class: "wx-channels", "aria-label": t("wx_channels")});
  page.appendChild(el("h4", {text: t("wx_channels")}));
  page.appendChild(list);
  const formBox = el("div");
  page.appendChild(formBox);
  Promise.all([api("GET", "/admin/channels"), api("GET", "/admin/sites"), loadApiBase()]).then(([r, s, base]) => {
    const chans = (r.channels || []).filter((c) => c.kind === "wechat" || c.kind === "wechat_mp");
    if (!chans.length) list.appendChild(el("li", {class: "none", text: t("wx_none")}));
    chans.forEach((c) => list.appendChild(channelCard(c, base, (s.sites || []).find((x) => x.site_key === c.site_key))));
    formBox.appendChild(addForm(s.sites || [], rerender));
  }).catch(report);
}

if (X) {
  X.addStrings(EN, ZH);
  installInbox();
  // channels.js may load after this module: register once the page's modules have run
  const register = () => { if (window.ParleyChannels) window.ParleyChannels.addSection(renderWeChat); };
  if (window.ParleyChannels) register();
  else document.addEventListener("DOMContentLoaded", register, {once: true});
}
