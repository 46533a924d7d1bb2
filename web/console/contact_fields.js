/* Parley console: a site's contact custom fields (docs/contacts.md "Custom fields"), a panel
 * under the Sites page for admins: add, edit, reorder by removing, and save the list (text,
 * number, date, select, multi-select; zh/en labels; required; options for selects). The API's
 * 4xx is shown next to the control it names (details.field = fields[i].prop). An ES module on
 * window.ParleyConsole.ext (console.js); server values are set with textContent only. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  cf_title: "Contact fields", cf_add: "Add a field", cf_save: "Save fields", cf_saved: "Fields saved",
  cf_key: "Key (a-z, 0-9, _)", cf_type: "Type", cf_label_en: "Label (English)", cf_label_zh: "Label (中文)",
  cf_required: "Required", cf_options: "Options, one per line: value | English | 中文", cf_min: "Minimum",
  cf_max: "Maximum", cf_max_len: "Longest text", cf_remove: "Remove", cf_none: "No custom fields yet.",
  cf_t_text: "Text", cf_t_number: "Number", cf_t_date: "Date", cf_t_select: "Select", cf_t_multi_select: "Multi-select"
};
const ZH = {
  cf_title: "客户自定义字段", cf_add: "添加字段", cf_save: "保存字段", cf_saved: "字段已保存",
  cf_key: "字段键(a-z、0-9、_)", cf_type: "类型", cf_label_en: "名称(英文)", cf_label_zh: "名称(中文)",
  cf_required: "必填", cf_options: "选项,每行一个:值 | English | 中文", cf_min: "最小值",
  cf_max: "最大值", cf_max_len: "最大长度", cf_remove: "删除", cf_none: "尚无自定义字段。",
  cf_t_text: "文本", cf_t_number: "数字", cf_t_date: "日期", cf_t_select: "单选", cf_t_multi_select: "多选"
};
const TYPES = ["text", "number", "date", "select", "multi_select"];

function optionsText(opts) {
  return (opts || []).map((o) => [o.value, o.label_en || "", o.label_zh || ""].join(" | ")).join("\n");
}
function parseOptions(text) {
  return text.split("\n").map((line) => line.split("|").map((x) => x.trim())).filter((p) => p[0])
    .map((p) => { const o = {value: p[0]}; if (p[1]) o.label_en = p[1]; if (p[2]) o.label_zh = p[2]; return o; });
}

/* one definition's controls; read() gives the API's definition, errorAt(prop, msg) marks one */
function fieldRow(d, i, onRemove) {
  const {el, t, field} = X;
  const id = (p) => "cf-" + i + "-" + p;
  const c = {
    key: el("input", {type: "text", id: id("key"), maxlength: "40", value: d.key || "", autocomplete: "off"}),
    type: el("select", {id: id("type")}, TYPES.map((v) => el("option", {value: v, text: t("cf_t_" + v)}))),
    label_en: el("input", {type: "text", id: id("label_en"), maxlength: "100", value: d.label_en || ""}),
    label_zh: el("input", {type: "text", id: id("label_zh"), maxlength: "100", value: d.label_zh || ""}),
    required: el("input", {type: "checkbox", id: id("required")}),
    options: el("textarea", {id: id("options"), rows: "3"}),
    min: el("input", {type: "number", id: id("min"), value: d.min === undefined || d.min === null ? "" : String(d.min)}),
    max: el("input", {type: "number", id: id("max"), value: d.max === undefined || d.max === null ? "" : String(d.max)}),
    max_len: el("input", {type: "number", id: id("max_len"), min: "1", max: "1000", value: d.max_len ? String(d.max_len) : ""})
  };
  c.type.value = d.type || "text";
  c.required.checked = !!d.required;
  c.options.value = optionsText(d.options);
  const errs = {};
  const wrap = (prop, label) => {
    errs[prop] = el("span", {class: "error cf-error", id: id(prop) + "-error", role: "alert"});
    c[prop].setAttribute("aria-describedby", errs[prop].id);
    return el("div", {class: "cf-cell", dataset: {prop}}, [field(label, c[prop]), errs[prop]]);
  };
  const cells = {options: wrap("options", t("cf_options")), min: wrap("min", t("cf_min")),
    max: wrap("max", t("cf_max")), max_len: wrap("max_len", t("cf_max_len"))};
  function showFor() {
    const v = c.type.value;
    cells.options.hidden = !(v === "select" || v === "multi_select");
    cells.min.hidden = cells.max.hidden = v !== "number";
    cells.max_len.hidden = v !== "text";
  }
  c.type.addEventListener("change", showFor);
  showFor();
  const box = el("fieldset", {class: "card cf-row", dataset: {index: String(i)}}, [
    el("legend", {text: d.key || "+"}),
    el("div", {class: "row wrap"}, [wrap("key", t("cf_key")), wrap("type", t("cf_type")),
      wrap("label_en", t("cf_label_en")), wrap("label_zh", t("cf_label_zh")),
      el("label", {class: "cf-cell"}, [c.required, el("span", {text: " " + t("cf_required")})])]),
    el("div", {class: "row wrap"}, [cells.options, cells.min, cells.max, cells.max_len]),
    el("button", {type: "button", class: "small danger cf-remove", text: t("cf_remove"), onclick: onRemove})]);
  function read() {
    const out = {key: c.key.value.trim(), type: c.type.value, label_en: c.label_en.value.trim(),
      label_zh: c.label_zh.value.trim(), required: c.required.checked};
    if (out.type === "select" || out.type === "multi_select") out.options = parseOptions(c.options.value);
    if (out.type === "number") {
      if (c.min.value !== "") out.min = Number(c.min.value);
      if (c.max.value !== "") out.max = Number(c.max.value);
    }
    if (out.type === "text" && c.max_len.value !== "") out.max_len = Number(c.max_len.value);
    return out;
  }
  return {box, read, ...fieldErrors(c, errs)};
}

/* a row's error marks: errorAt(prop, message) on that control (or the key's, for a property
   the row has no control for), clearErrors() on all; `alias` renames API properties */
function fieldErrors(c, errs, alias = {}) {
  function errorAt(prop, message) {
    const p = alias[prop] || prop;
    const target = errs[p] ? p : "key";
    errs[target].textContent = message;
    c[target].setAttribute("aria-invalid", "true");
    c[target].focus();
  }
  function clearErrors() {
    Object.keys(errs).forEach((p) => { errs[p].textContent = ""; c[p].removeAttribute("aria-invalid"); });
  }
  return {errorAt, clearErrors};
}

function fieldsPanel(siteKey) {
  const {el, t, api, errBox, showErr, clear} = X;
  const err = errBox();
  err.id = "cf-error";
  const holder = el("div", {id: "cf-rows"});
  let rows = [];
  function draw(defs) {
    clear(holder);
    rows = [];
    defs.forEach((d, i) => {
      const row = fieldRow(d, i, () => { draw(rows.map((r) => r.read()).filter((_, j) => j !== i)); });
      rows.push(row);
      holder.appendChild(row.box);
    });
    if (!defs.length) holder.appendChild(el("p", {class: "muted", text: t("cf_none")}));
  }
  function save(ev) {
    ev.preventDefault();
    err.textContent = "";
    rows.forEach((r) => r.clearErrors());
    api("PUT", "/admin/contact-fields?site_key=" + encodeURIComponent(siteKey), {fields: rows.map((r) => r.read())})
      .then((r) => { draw(r.fields || []); X.toast(t("cf_saved")); })
      .catch((e) => {
        const m = /^fields\[(\d+)\](?:\.([a-z_]+))?/.exec((e.details || {}).field || "");
        if (m && rows[Number(m[1])]) rows[Number(m[1])].errorAt(m[2] || "key", e.message);
        else showErr(err, e);
      });
  }
  // the buttons wait for the saved list (an edit made before it arrives would be lost)
  const add = el("button", {type: "button", id: "cf-add", text: t("cf_add"), disabled: true, onclick: () => {
    draw(rows.map((r) => r.read()).concat([{type: "text"}]));
    const last = holder.querySelector(".cf-row:last-of-type input");
    if (last) last.focus();
  }});
  const submit = el("button", {type: "submit", class: "primary", id: "cf-save", text: t("cf_save"), disabled: true});
  api("GET", "/admin/contact-fields?site_key=" + encodeURIComponent(siteKey))
    .then((r) => { draw(r.fields || []); add.disabled = submit.disabled = false; }).catch((e) => showErr(err, e));
  return el("form", {class: "card", id: "cf-panel", "aria-labelledby": "cf-title", onsubmit: save}, [
    el("h3", {id: "cf-title", text: t("cf_title")}), holder, err, el("div", {class: "row wrap"}, [add, submit])]);
}

if (X) {
  X.addStrings(EN, ZH);
  X.addSitePanel(fieldsPanel);
}

export { fieldErrors };
