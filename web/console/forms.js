/* Parley console: the Forms page (docs/contacts.md "Forms"), for admins. A site's forms are
 * listed a page at a time ("More" continues after the last); "New form" or "Edit" opens the
 * designer: name, kind (pre-chat / in-chat), "use as the site's pre-chat form", and one block
 * per field (key, type, English and Chinese labels, required, the contact field it fills,
 * options as `value | English | 中文` lines for selects). The API's 4xx is shown next to the
 * control it names (details.field = fields[i].prop). In-chat sending and rendering live in
 * form_inbox.js. An ES module on window.ParleyConsole.ext; server values via textContent. */
import { fieldErrors } from "./contact_fields.js";

const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  page_forms: "Forms", fm_site: "Site", fm_load: "Show forms", fm_new: "New form", fm_more: "More",
  fm_none: "No forms yet.", fm_name: "Form name", fm_kind: "Kind", fm_k_prechat: "Pre-chat", fm_k_inchat: "In-chat",
  fm_use_prechat: "Use as this site's pre-chat form", fm_in_use: "Pre-chat form in use", fm_fields_n: "{n} fields",
  fm_edit: "Edit", fm_delete: "Delete", fm_confirm_delete: "Delete the form “{name}”?", fm_saved: "Form saved",
  fm_deleted: "Form deleted", fm_add_field: "Add a field", fm_remove: "Remove", fm_save: "Save form", fm_cancel: "Cancel",
  fm_key: "Key (a-z, 0-9, _)", fm_type: "Type", fm_label_en: "Label (English)", fm_label_zh: "Label (中文)",
  fm_required: "Required", fm_maps_to: "Fills contact field", fm_maps_none: "(none: transcript only)",
  fm_options: "Options, one per line: value | English | 中文", fm_need_site: "Enter a site key.",
  fm_t_text: "Text", fm_t_number: "Number", fm_t_date: "Date", fm_t_select: "Select", fm_t_multi_select: "Multi-select",
  fm_t_email: "E-mail", fm_t_phone: "Phone", fm_b_name: "Name", fm_b_email: "E-mail", fm_b_phone: "Phone",
  fm_col_name: "Name", fm_col_kind: "Kind", fm_col_fields: "Fields", fm_col_actions: "Actions"
};
const ZH = {
  page_forms: "表单", fm_site: "站点", fm_load: "查看表单", fm_new: "新建表单", fm_more: "更多",
  fm_none: "尚无表单。", fm_name: "表单名称", fm_kind: "类型", fm_k_prechat: "咨询前表单", fm_k_inchat: "会话内表单",
  fm_use_prechat: "用作本站点的咨询前表单", fm_in_use: "正在使用的咨询前表单", fm_fields_n: "{n} 个字段",
  fm_edit: "编辑", fm_delete: "删除", fm_confirm_delete: "删除表单“{name}”?", fm_saved: "表单已保存",
  fm_deleted: "表单已删除", fm_add_field: "添加字段", fm_remove: "删除", fm_save: "保存表单", fm_cancel: "取消",
  fm_key: "字段键(a-z、0-9、_)", fm_type: "类型", fm_label_en: "名称(英文)", fm_label_zh: "名称(中文)",
  fm_required: "必填", fm_maps_to: "写入客户字段", fm_maps_none: "(不写入:仅留在会话记录)",
  fm_options: "选项,每行一个:值 | English | 中文", fm_need_site: "请输入站点标识。",
  fm_t_text: "文本", fm_t_number: "数字", fm_t_date: "日期", fm_t_select: "单选", fm_t_multi_select: "多选",
  fm_t_email: "邮箱", fm_t_phone: "电话", fm_b_name: "姓名", fm_b_email: "邮箱", fm_b_phone: "电话",
  fm_col_name: "名称", fm_col_kind: "类型", fm_col_fields: "字段", fm_col_actions: "操作"
};
const TYPES = ["text", "number", "date", "select", "multi_select", "email", "phone"];
const BUILT_IN = ["name", "email", "phone"];
const PAGE = 25;
const state = {site: "", forms: [], next: null, defs: []};

function optionsText(opts) {
  return (opts || []).map((o) => [o.value, (o.label || {}).en || "", (o.label || {}).zh || ""].join(" | ")).join("\n");
}
function parseOptions(text) {
  return text.split("\n").map((line) => line.split("|").map((x) => x.trim())).filter((p) => p[0])
    .map((p) => ({value: p[0], label: {en: p[1] || p[0], zh: p[2] || p[1] || p[0]}}));
}

/* one field's controls; read() gives the API's field, errorAt(prop, msg) marks one */
function fieldRow(f, i, onRemove) {
  const {el, t, field} = X;
  const id = (p) => "fm-" + i + "-" + p;
  const label = f.label || {};
  const c = {
    key: el("input", {type: "text", id: id("key"), maxlength: "40", value: f.key || "", autocomplete: "off"}),
    type: el("select", {id: id("type")}, TYPES.map((v) => el("option", {value: v, text: t("fm_t_" + v)}))),
    label_en: el("input", {type: "text", id: id("label_en"), maxlength: "100", value: label.en || ""}),
    label_zh: el("input", {type: "text", id: id("label_zh"), maxlength: "100", value: label.zh || ""}),
    required: el("input", {type: "checkbox", id: id("required")}),
    maps_to: el("select", {id: id("maps_to")}, [el("option", {value: "", text: t("fm_maps_none")})]
      .concat(BUILT_IN.map((k) => el("option", {value: k, text: t("fm_b_" + k)})))
      .concat(state.defs.map((d) => el("option", {value: d.key, text: (X.lang() === "zh" ? d.label_zh : d.label_en) || d.key})))),
    options: el("textarea", {id: id("options"), rows: "3"})
  };
  c.type.value = f.type || "text";
  c.required.checked = !!f.required;
  c.maps_to.value = f.maps_to || "";
  c.options.value = optionsText(f.options);
  const errs = {};
  const wrap = (prop, text) => {
    errs[prop] = el("span", {class: "error fm-error", id: id(prop) + "-error", role: "alert"});
    c[prop].setAttribute("aria-describedby", errs[prop].id);
    return el("div", {class: "cf-cell", dataset: {prop}}, [field(text, c[prop]), errs[prop]]);
  };
  const optCell = wrap("options", t("fm_options"));
  const showFor = () => { optCell.hidden = !(c.type.value === "select" || c.type.value === "multi_select"); };
  c.type.addEventListener("change", showFor);
  showFor();
  const box = el("fieldset", {class: "card fm-row", dataset: {index: String(i)}}, [
    el("legend", {text: f.key || "+"}),
    el("div", {class: "row wrap"}, [wrap("key", t("fm_key")), wrap("type", t("fm_type")),
      wrap("label_en", t("fm_label_en")), wrap("label_zh", t("fm_label_zh")), wrap("maps_to", t("fm_maps_to")),
      el("label", {class: "cf-cell"}, [c.required, el("span", {text: " " + t("fm_required")})])]),
    optCell,
    el("button", {type: "button", class: "small danger fm-remove", text: t("fm_remove"), onclick: onRemove})]);
  function read() {
    const out = {key: c.key.value.trim(), type: c.type.value, required: c.required.checked,
      label: {en: c.label_en.value.trim(), zh: c.label_zh.value.trim()}, maps_to: c.maps_to.value || null};
    if (out.type === "select" || out.type === "multi_select") out.options = parseOptions(c.options.value);
    return out;
  }
  return {box, read, ...fieldErrors(c, errs, {label: "label_en"})};
}

/* the designer for one form (form = null: a new one); done() redraws the list */
function designer(form, done) {
  const {el, t, api, errBox, showErr, clear, field} = X;
  const err = errBox();
  err.id = "fm-editor-error";
  const name = el("input", {type: "text", id: "fm-name", maxlength: "100", value: form ? form.name : ""});
  const kind = el("select", {id: "fm-kind"}, ["inchat", "prechat"].map((k) => el("option", {value: k, text: t("fm_k_" + k)})));
  kind.value = form ? form.kind : "inchat";
  const prechat = el("input", {type: "checkbox", id: "fm-prechat"});
  prechat.checked = !!(form && form.prechat);
  const preLabel = el("label", {class: "cf-cell"}, [prechat, el("span", {text: " " + t("fm_use_prechat")})]);
  const showPre = () => { preLabel.hidden = kind.value !== "prechat"; };
  kind.addEventListener("change", showPre);
  showPre();
  const holder = el("div", {id: "fm-rows"});
  let rows = [];
  function draw(fields) {
    clear(holder);
    rows = fields.map((f, i) => {
      const row = fieldRow(f, i, () => draw(rows.map((r) => r.read()).filter((_, j) => j !== i)));
      holder.appendChild(row.box);
      return row;
    });
  }
  draw(form ? form.fields : [{type: "text"}]);
  const add = el("button", {type: "button", id: "fm-add-field", text: t("fm_add_field"), onclick: () => {
    draw(rows.map((r) => r.read()).concat([{type: "text"}]));
    const last = holder.querySelector(".fm-row:last-of-type input");
    if (last) last.focus();
  }});
  function save(ev) {
    ev.preventDefault();
    err.textContent = "";
    rows.forEach((r) => r.clearErrors());
    const body = {name: name.value.trim(), kind: kind.value, fields: rows.map((r) => r.read())};
    if (kind.value === "prechat") body.prechat = prechat.checked;
    const q = "?site_key=" + encodeURIComponent(state.site);
    const call = form ? api("PUT", "/admin/forms/" + encodeURIComponent(form.form_id) + q, body)
      : api("POST", "/admin/forms" + q, body);
    call.then(() => { X.toast(t("fm_saved")); done(); }).catch((e) => {
      const where = (e.details || {}).field || "";
      const m = /^fields\[(\d+)\](?:\.([a-z_]+))?/.exec(where);
      if (m && rows[Number(m[1])]) rows[Number(m[1])].errorAt(m[2] || "key", e.message);
      else if (where === "name") { showErr(err, e); name.setAttribute("aria-invalid", "true"); name.focus(); }
      else showErr(err, e);
    });
  }
  const box = el("form", {class: "card", id: "fm-editor", "aria-labelledby": "fm-editor-title", onsubmit: save}, [
    el("h3", {id: "fm-editor-title", text: form ? form.name : t("fm_new")}),
    el("div", {class: "row wrap"}, [field(t("fm_name"), name), field(t("fm_kind"), kind), preLabel]),
    holder, err,
    el("div", {class: "row wrap"}, [add, el("button", {type: "submit", class: "primary", id: "fm-save", text: t("fm_save")}),
      el("button", {type: "button", id: "fm-cancel", text: t("fm_cancel"), onclick: done})])]);
  return box;
}

function renderForms() {
  const {el, clear, t, section, errBox, showErr, api, field} = X;
  const page = clear(document.getElementById("page-forms"));
  page.appendChild(section(t("page_forms")));
  const err = errBox();
  err.id = "fm-error";
  const site = el("input", {type: "text", id: "fm-site", maxlength: "64",
    value: state.site || localStorage.getItem("parley.contacts.site") || ""});
  const tbody = el("tbody", {id: "fm-list"});
  const more = el("button", {type: "button", id: "fm-more", text: t("fm_more"), hidden: true});
  const editorSlot = el("div", {id: "fm-editor-slot"});
  const newBtn = el("button", {type: "button", id: "fm-new", text: t("fm_new"), disabled: true});

  function drawList() {
    clear(tbody);
    state.forms.forEach((f) => tbody.appendChild(el("tr", {dataset: {form: f.form_id}}, [
      el("td", {}, [el("strong", {class: "fm-list-name", text: f.name}),
        f.prechat ? el("span", {class: "chip", text: t("fm_in_use")}) : null]),
      el("td", {text: t("fm_k_" + f.kind)}),
      el("td", {text: t("fm_fields_n", {n: (f.fields || []).length})}),
      el("td", {class: "row wrap"}, [
        el("button", {type: "button", class: "small fm-edit", text: t("fm_edit"), onclick: () => openEditor(f)}),
        el("button", {type: "button", class: "small danger fm-delete", text: t("fm_delete"), onclick: () => {
          if (!window.confirm(t("fm_confirm_delete", {name: f.name}))) return;
          api("DELETE", "/admin/forms/" + encodeURIComponent(f.form_id) + "?site_key=" + encodeURIComponent(state.site))
            .then(() => { X.toast(t("fm_deleted")); load(false); }).catch((e) => showErr(err, e));
        }})])])));
    if (!state.forms.length) tbody.appendChild(el("tr", {}, [el("td", {colspan: "4", class: "muted", text: t("fm_none")})]));
    more.hidden = !state.next;
  }
  function load(append) {
    err.textContent = "";
    const key = site.value.trim();
    if (!key) { err.textContent = t("fm_need_site"); site.focus(); return Promise.resolve(); }
    if (key !== state.site) { state.site = key; localStorage.setItem("parley.contacts.site", key); state.forms = []; }
    let q = "/admin/forms?site_key=" + encodeURIComponent(key) + "&limit=" + PAGE;
    if (append && state.next) q += "&after=" + encodeURIComponent(state.next.after);
    const defs = api("GET", "/admin/contact-fields?site_key=" + encodeURIComponent(key))
      .then((r) => { state.defs = r.fields || []; }).catch(() => { state.defs = []; });
    return Promise.all([api("GET", q), defs]).then(([r]) => {
      if (key !== state.site) return;              // another site was asked for meanwhile
      state.forms = append ? state.forms.concat(r.forms || []) : (r.forms || []);
      state.next = r.next || null;
      newBtn.disabled = false;
      drawList();
    }).catch((e) => showErr(err, e));
  }
  function openEditor(f) {
    clear(editorSlot);
    const box = designer(f, () => { clear(editorSlot); load(false).then(() => newBtn.focus()); });
    editorSlot.appendChild(box);
    box.querySelector("#fm-name").focus();   // in the page now: focus at once, not later
  }
  newBtn.addEventListener("click", () => openEditor(null));
  more.addEventListener("click", () => load(true));
  page.appendChild(el("form", {class: "card row wrap", id: "fm-site-form", onsubmit: (ev) => { ev.preventDefault(); load(false); }},
    [field(t("fm_site"), site), el("button", {type: "submit", id: "fm-load", text: t("fm_load")}), newBtn]));
  page.appendChild(err);
  page.appendChild(el("div", {class: "scroll-x"}, [el("table", {class: "grid", id: "fm-table"}, [
    el("thead", {}, [el("tr", {}, ["fm_col_name", "fm_col_kind", "fm_col_fields", "fm_col_actions"]
      .map((k) => el("th", {scope: "col", text: t(k)})))]), tbody])]));
  page.appendChild(more);
  page.appendChild(editorSlot);
  if (site.value.trim()) load(false);
  else {      // admins only here: start on the first site, as Reports and Chat records do
    X.firstSite().then((first) => {
      if (!first || site.value.trim() || !site.isConnected) return;
      site.value = first;
      load(false);
    });
  }
}

if (X) {
  X.addStrings(EN, ZH);
  X.addPage("forms", renderForms);
}
