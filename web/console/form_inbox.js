/* Parley console: in-chat forms in the inbox (docs/contacts.md "Forms"). A "Send form" action
 * under the open conversation's buttons (a list of the site's in-chat forms, then POST
 * /agent/conversations/{cid}/forms), and the rendering of `form` messages (the form's name and
 * fields) and `form_answered` events (each answer with its label) in the transcript. Uses the
 * inbox hooks of window.ParleyConsole.ext; every server value is set with textContent. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  fi_send: "Send form", fi_pick: "Form to send", fi_sent: "Form sent", fi_none: "No in-chat forms for this site.",
  fi_form: "Form: {name}", fi_answered: "The visitor answered “{name}”", fi_waiting: "Waiting for the visitor's answers",
  fi_required: "required"
};
const ZH = {
  fi_send: "发送表单", fi_pick: "要发送的表单", fi_sent: "表单已发送", fi_none: "本站点没有会话内表单。",
  fi_form: "表单:{name}", fi_answered: "访客已填写“{name}”", fi_waiting: "等待访客填写",
  fi_required: "必填"
};
const cache = {};        // site -> promise of its in-chat forms (first page of 100)
const loaded = {};       // site -> its in-chat forms, once the first load answered
const picked = {};       // conversation -> the form chosen last (the header is redrawn often)

function label(l) { return (l && (X.lang() === "zh" ? l.zh : l.en)) || ""; }
function uid() { return "form-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10); }
function shown(v) { return Array.isArray(v) ? v.join(", ") : String(v); }

function inchatForms(site) {
  if (!cache[site]) {
    cache[site] = X.api("GET", "/agent/forms?kind=inchat&limit=100&site_key=" + encodeURIComponent(site))
      .then((r) => { loaded[site] = r.forms || []; return loaded[site]; })
      .catch((e) => { delete cache[site]; throw e; });
  }
  return cache[site];
}

function header(conv, box) {
  const {el, t, api, showErr, errBox} = X;
  if (!conv || conv.status === "closed" || !conv.site_key) return;
  const pick = el("select", {id: "fi-form", "aria-label": t("fi_pick"),
    onchange: () => { picked[conv.conversation_id] = pick.value; }});
  const send = el("button", {type: "submit", class: "small", id: "fi-send", text: t("fi_send"), disabled: true});
  const err = errBox();
  err.id = "fi-error";
  const cid = conv.conversation_id;
  box.appendChild(el("form", {class: "row wrap", id: "fi-box", onsubmit: (ev) => {
    ev.preventDefault();
    if (!pick.value) return;
    err.textContent = "";
    send.disabled = true;
    api("POST", "/agent/conversations/" + encodeURIComponent(cid) + "/forms", {form_id: pick.value, client_message_id: uid()})
      .then(() => X.toast(t("fi_sent"))).catch((e) => showErr(err, e)).then(() => { send.disabled = false; });
  }}, [pick, send, err]));
  const fill = (forms) => {
    forms.forEach((f) => pick.appendChild(el("option", {value: f.form_id, text: f.name})));
    if (picked[cid] && forms.some((f) => f.form_id === picked[cid])) pick.value = picked[cid];
    if (forms.length) send.disabled = false;
    else pick.appendChild(el("option", {value: "", text: t("fi_none")}));
  };
  // drawn again on every change of the chat: with the forms known, at once (the picker and
  // the button are usable, and can keep the keyboard's focus, in the same redraw)
  if (loaded[conv.site_key]) fill(loaded[conv.site_key]);
  else inchatForms(conv.site_key).then(fill).catch((e) => showErr(err, e));
}

function message(m, li) {
  const {el, t} = X;
  if (m.type === "form" && m.extra && m.extra.form) {
    const form = m.extra.form;
    const bubble = li.querySelector(".bubble") || li;
    li.classList.add("form-msg");
    bubble.appendChild(el("div", {class: "text", text: t("fi_form", {name: form.name})}));
    bubble.appendChild(el("ul", {class: "plain form-fields"}, (form.fields || []).map((f) =>
      el("li", {text: label(f.label) + (f.required ? " (" + t("fi_required") + ")" : "")}))));
    return;
  }
  const e = m.event || {};
  if (m.type === "event" && e.kind === "form_answered") {
    const span = li.querySelector("span");
    if (span) span.textContent = t("fi_answered", {name: e.form_name || ""});
    li.appendChild(el("dl", {class: "kv form-answers"}, (e.answers || []).map((a) =>
      el("div", {class: "kv"}, [el("dt", {text: label(a.label) || a.key}), el("dd", {text: shown(a.value)})]))));
  }
}

if (X && X.inbox) {
  X.addStrings(EN, ZH);
  X.inbox.on("header", header);
  X.inbox.on("message", message);
}
