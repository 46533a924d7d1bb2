/* Parley console: a site's routing panel (docs/routing.md): the priorities (seconds a VIP, a
 * returning visitor or a channel's chat moves ahead in line) and how long an agent who lost
 * their connection keeps their chats (reassign_grace_seconds). Saved with a partial
 * PUT /admin/sites/{key}, so the site form and this panel never overwrite each other.
 * An ES module on window.ParleyConsole.ext; values from the server only via textContent/value. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  rt_title: "Routing", rt_note: "Seconds a chat moves ahead in line when it applies (0 to 86400; empty: none). " +
    "A VIP asking at 10:10 with 600 is placed as if it had asked at 10:00.",
  rt_vip: "VIP visitors", rt_returning: "Returning visitors", rt_channels: "Channels",
  rt_channel: "Channel", rt_seconds: "Seconds ahead", rt_add_channel: "Add a channel",
  rt_remove_channel: "Remove this channel", rt_grace: "Chats of a disconnected agent return to the queue after (seconds)",
  rt_save: "Save routing", rt_err_field: "{field}: enter whole seconds from 0 to 86400.",
  rt_err_channel: "Each channel needs a name.", rt_err_duplicate: "\"{channel}\" is listed twice."
};
const ZH = {
  rt_title: "分配规则", rt_note: "符合条件的对话在队列中提前的秒数(0 到 86400;留空表示不提前)。" +
    "例如设置 VIP 为 600 时,10:10 排队的 VIP 按 10:00 排队处理。",
  rt_vip: "VIP 访客", rt_returning: "回访访客", rt_channels: "渠道",
  rt_channel: "渠道", rt_seconds: "提前秒数", rt_add_channel: "添加渠道",
  rt_remove_channel: "删除此渠道", rt_grace: "客服断线后,其对话在多少秒后回到队列",
  rt_save: "保存分配规则", rt_err_field: "{field}:请输入 0 到 86400 之间的整数秒。",
  rt_err_channel: "每个渠道都需要填写名称。", rt_err_duplicate: "“{channel}”重复了。"
};
const CHANNELS = ["web", "wechat", "email", "api"];

function seconds(attrs, value) {
  return X.el("input", Object.assign({type: "number", min: "0", max: "86400", step: "1", class: "num",
    value: value != null ? String(value) : ""}, attrs));
}

function routingPanel(siteKey, site) {
  const {api, t, el, errBox, showErr, field} = X;
  const s = site.settings || {};
  const p = s.priorities || {};
  const vip = seconds({id: "s-prio-vip"}, p.vip);
  const returning = seconds({id: "s-prio-returning"}, p.returning);
  const grace = seconds({id: "s-reassign-grace"}, s.reassign_grace_seconds);
  const rows = el("tbody", {id: "s-prio-channels"});
  const list = el("datalist", {id: "s-prio-channel-names"}, CHANNELS.map((c) => el("option", {value: c})));
  const addRow = (name, value) => {
    const tr = el("tr", {class: "prio-channel"}, [
      el("td", {}, [el("input", {type: "text", maxlength: "40", list: "s-prio-channel-names", value: name || "",
        "aria-label": t("rt_channel")})]),
      el("td", {}, [seconds({"aria-label": t("rt_seconds")}, value)]),
      el("td", {}, [el("button", {type: "button", class: "danger small", text: "×", "aria-label": t("rt_remove_channel"),
        onclick: () => { tr.remove(); }})])]);
    rows.appendChild(tr);
    return tr;
  };
  Object.keys(p.channels || {}).sort().forEach((c) => addRow(c, p.channels[c]));
  const err = errBox();
  err.id = "s-routing-error";

  const body = () => {
    const out = {};
    const prio = {};
    if (vip.value !== "") prio.vip = Number(vip.value);
    if (returning.value !== "") prio.returning = Number(returning.value);
    const channels = {};
    rows.querySelectorAll("tr").forEach((tr) => {
      const ins = tr.querySelectorAll("input");
      const name = ins[0].value.trim();
      if (!name && ins[1].value === "") return;            // an empty row: ignored
      if (!name) throw new Error(t("rt_err_channel"));
      if (Object.prototype.hasOwnProperty.call(channels, name)) throw new Error(t("rt_err_duplicate", {channel: name}));
      channels[name] = ins[1].value === "" ? 0 : Number(ins[1].value);
    });
    if (Object.keys(channels).length) prio.channels = channels;
    out.priorities = Object.keys(prio).length ? prio : null;
    if (grace.value !== "") out.reassign_grace_seconds = Number(grace.value);
    return out;
  };
  const save = (e) => {
    e.preventDefault();
    err.textContent = "";
    let payload;
    try { payload = body(); } catch (bad) { err.textContent = bad.message; return; }
    api("PUT", "/admin/sites/" + encodeURIComponent(siteKey), payload)
      .then(() => X.toast(t("saved")))
      .catch((e2) => {
        const f = e2 && e2.details && e2.details.field;
        if (f && (e2.code === "invalid_value" || e2.code === "out_of_range" || e2.code === "invalid_type")) {
          err.textContent = t("rt_err_field", {field: f});
        } else showErr(err, e2);
      });
  };
  const channelBox = el("fieldset", {}, [el("legend", {text: t("rt_channels")}), list,
      el("table", {class: "grid"}, [el("thead", {}, [el("tr", {}, [t("rt_channel"), t("rt_seconds"), ""].map((h) => el("th", {text: h})))]), rows]),
      el("button", {type: "button", id: "s-prio-add", text: t("rt_add_channel"), onclick: () => {
        addRow("", "").querySelector("input").focus();
      }})]);
  channelBox.style.minWidth = "0";             // a fieldset is min-content wide by default
  const form = el("form", {class: "card routing-panel", id: "s-routing-panel", "aria-labelledby": "s-routing-title", onsubmit: save}, [
    el("h3", {id: "s-routing-title", text: t("rt_title")}),
    el("p", {class: "muted", id: "s-routing-note", text: t("rt_note")}),
    el("div", {class: "row"}, [field(t("rt_vip"), vip), field(t("rt_returning"), returning)]),
    channelBox,
    field(t("rt_grace"), grace),
    err,
    el("button", {type: "submit", id: "s-routing-save", class: "primary", text: t("rt_save")})
  ]);
  form.style.margin = "12px 0";                 // CSSOM, not a style attribute (the CSP)
  form.style.maxWidth = "880px";
  return form;
}

if (X) {
  X.addStrings(EN, ZH);
  X.addSitePanel(routingPanel);
}
