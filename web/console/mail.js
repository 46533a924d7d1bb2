/* Parley console: a site's email panel (the email channel, docs/email.md): the address the
 * site always receives mail at, and the site's own address (setting mail_address).
 * An ES module on the console's helpers (window.ParleyConsole.ext, console.js); every value
 * from the server is rendered with textContent (the el() helper), never as HTML. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  mail_title: "Email", mail_inbox: "Always receives mail at",
  mail_own: "Own address (optional)", mail_save: "Save address",
  mail_note: "Mail to either address becomes a ticket; replies to ticket emails thread back. " +
    "Forward your own address to the one above (or point its MX at SES), then enter it here. Leave empty to remove it.",
  mail_err_invalid_email: "Enter a plain email address (no plus tag, not another site's address).",
  mail_err_mail_address_taken: "Another site already receives mail at this address."
};
const ZH = {
  mail_title: "邮件", mail_inbox: "固定收件地址",
  mail_own: "自有地址(可选)", mail_save: "保存地址",
  mail_note: "发到任一地址的邮件都会成为工单;回复工单邮件会归入原工单。" +
    "请把自有地址转发到上面的地址(或将其 MX 指向 SES),再在此填写。留空即删除。",
  mail_err_invalid_email: "请输入普通邮箱地址(不含 + 标记,也不能是其他站点的地址)。",
  mail_err_mail_address_taken: "已有其他站点使用此地址收件。"
};

function mailPanel(siteKey, site) {
  const {api, t, el, errBox, showErr, field} = X;
  const settings = site.settings || {};
  const input = el("input", {type: "email", id: "s-mail-address", maxlength: "254", autocomplete: "off",
    value: settings.mail_address || "", "aria-describedby": "s-mail-note"});
  const err = errBox();
  err.id = "s-mail-error";
  const save = (e) => {
    e.preventDefault();
    err.textContent = "";
    const value = input.value.trim();
    api("PUT", "/admin/sites/" + encodeURIComponent(siteKey), {mail_address: value || null})
      .then((r) => { input.value = ((r.site || {}).settings || {}).mail_address || ""; X.toast(t("saved")); })
      .catch((e2) => {
        const key = "mail_err_" + (e2 && e2.code);
        if (t(key) !== key) err.textContent = t(key); else showErr(err, e2);
      });
  };
  return el("form", {class: "card mail-panel", id: "s-mail-panel", "aria-labelledby": "s-mail-title", onsubmit: save}, [
    el("h3", {id: "s-mail-title", text: t("mail_title")}),
    el("p", {}, [el("span", {class: "muted", text: t("mail_inbox") + ": "}),
      el("code", {id: "s-mail-inbox", text: site.mail_inbox || ""})]),
    field(t("mail_own"), input),
    el("p", {class: "muted", id: "s-mail-note", text: t("mail_note")}),
    err,
    el("button", {type: "submit", id: "s-mail-save", text: t("mail_save")})
  ]);
}

if (X) {
  X.addStrings(EN, ZH);
  X.addSitePanel(mailPanel);
}
