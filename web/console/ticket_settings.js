/* Parley console: a site's ticket settings (admins), a panel under the site's settings on the
 * Sites page: SLA targets per priority (business minutes) and the custom ticket fields.
 * GET /agent/tickets/settings/{site}, PUT /admin/tickets/settings/{site}/sla and /fields.
 * Every value from the server is set with textContent or as an input's value. */
import {hoursEditor, tzSelect} from "./ticket_hours.js";

const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  tkc_settings: "Tickets", tkc_sla: "SLA targets (business minutes)", tkc_first: "First reply",
  tkc_resolution: "Resolution", tkc_hours_mode: "Count the targets in",
  tkc_mode_site: "the site's opening hours", tkc_mode_custom: "these business hours",
  tkc_mode_calendar: "calendar time (24/7)",
  tkc_save_sla: "Save SLA", tkc_fields: "Custom fields", tkc_key: "Key", tkc_kind: "Type",
  tkc_label: "Label", tkc_options: "Options (comma separated)", tkc_required: "Required",
  tkc_add_field: "Add a field", tkc_remove: "Remove", tkc_save_fields: "Save fields",
  tkc_saved: "Saved", tk_text: "Text", tk_number: "Number", tk_date: "Date", tk_select: "Select"
};
const ZH = {
  tkc_settings: "工单", tkc_sla: "SLA 目标(工作时间,分钟)", tkc_first: "首次回复",
  tkc_resolution: "解决", tkc_hours_mode: "计时方式",
  tkc_mode_site: "按站点服务时间", tkc_mode_custom: "按以下工作时间",
  tkc_mode_calendar: "按自然时间(全天)",
  tkc_save_sla: "保存 SLA", tkc_fields: "自定义字段", tkc_key: "标识", tkc_kind: "类型",
  tkc_label: "名称", tkc_options: "选项(逗号分隔)", tkc_required: "必填",
  tkc_add_field: "添加字段", tkc_remove: "删除", tkc_save_fields: "保存字段",
  tkc_saved: "已保存", tk_text: "文本", tk_number: "数字", tk_date: "日期", tk_select: "下拉选择"
};
const PRIORITIES = ["urgent", "high", "normal", "low"];
const KINDS = ["text", "number", "date", "select"];

function num(input) { return input.value.trim() === "" ? null : Number(input.value); }

function slaForm(siteKey, sla) {
  const {t, el, api, errBox, showErr} = X;
  const inputs = {};
  const rows = PRIORITIES.map((p) => {
    const target = (sla.targets || {})[p] || {};
    inputs[p] = {
      first: el("input", {type: "number", min: "1", max: "525600", id: `tks-${p}-first`, value: target.first_reply_minutes || "",
        "aria-label": t("tkp_" + p) + " · " + t("tkc_first")}),
      resolution: el("input", {type: "number", min: "1", max: "525600", id: `tks-${p}-resolution`, value: target.resolution_minutes || "",
        "aria-label": t("tkp_" + p) + " · " + t("tkc_resolution")})
    };
    return el("tr", {}, [el("th", {scope: "row", text: t("tkp_" + p)}), el("td", {}, [inputs[p].first]),
      el("td", {}, [inputs[p].resolution])]);
  });
  const bh = sla.business_hours || null;
  const mode = el("select", {id: "tks-hours-mode"}, ["site", "custom", "calendar"].map((m) =>
    el("option", {value: m, text: t("tkc_mode_" + m)})));
  mode.value = bh ? "custom" : sla.use_site_hours === false ? "calendar" : "site";
  const tz = tzSelect((bh && bh.tz) || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", "tks-tz");
  const hours = hoursEditor(bh || {days: {mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]],
    wed: [["09:00", "17:00"]], thu: [["09:00", "17:00"]], fri: [["09:00", "17:00"]]}}, "tks");
  const hoursBox = el("fieldset", {class: "hours", id: "tks-hours"}, [el("legend", {text: t("tkc_mode_custom")}),
    X.field(t("tkb_tz"), tz), hours.node]);
  const syncMode = () => { hoursBox.hidden = mode.value !== "custom"; };
  mode.addEventListener("change", syncMode);
  syncMode();
  const err = errBox();
  return el("form", {id: "tks-sla-form", onsubmit: (ev) => {
    ev.preventDefault();
    err.textContent = "";
    const targets = {};
    PRIORITIES.forEach((p) => {
      targets[p] = {first_reply_minutes: num(inputs[p].first), resolution_minutes: num(inputs[p].resolution)};
    });
    let business = null;
    if (mode.value === "custom") {
      try { business = {tz: tz.value, days: hours.value()}; } catch (bad) { err.textContent = bad.message; return; }
    }
    api("PUT", "/admin/tickets/settings/" + encodeURIComponent(siteKey) + "/sla",
      {targets, use_site_hours: mode.value === "site", business_hours: business})
      .then(() => X.toast(t("tkc_saved"))).catch((e) => showErr(err, e));
  }}, [el("h4", {text: t("tkc_sla")}),
    el("div", {class: "scroll-x"}, [el("table", {class: "grid"}, [
      el("thead", {}, [el("tr", {}, [el("th", {}), el("th", {scope: "col", text: t("tkc_first")}),
        el("th", {scope: "col", text: t("tkc_resolution")})])]), el("tbody", {}, rows)])]),
    X.field(t("tkc_hours_mode"), mode), hoursBox, err,
    el("button", {type: "submit", class: "primary", id: "tks-save-sla", text: t("tkc_save_sla")})]);
}

function fieldsForm(siteKey, fields) {
  const {t, el, api, errBox, showErr, clear} = X;
  const list = el("div", {id: "tks-fields"});
  const err = errBox();
  function row(f) {
    const kind = el("select", {class: "tks-kind", "aria-label": t("tkc_kind")}, KINDS.map((k) => el("option", {value: k, text: t("tk_" + k)})));
    kind.value = f.kind || "text";
    const r = el("fieldset", {class: "row wrap tks-field"}, [
      el("input", {class: "tks-key", type: "text", maxlength: "40", value: f.key || "", "aria-label": t("tkc_key"), placeholder: t("tkc_key")}),
      kind,
      el("input", {class: "tks-label", type: "text", maxlength: "100", value: f.label || "", "aria-label": t("tkc_label"), placeholder: t("tkc_label")}),
      el("input", {class: "tks-options", type: "text", maxlength: "2000", value: (f.options || []).join(", "), "aria-label": t("tkc_options"), placeholder: t("tkc_options")}),
      el("label", {class: "row"}, [el("input", {type: "checkbox", class: "tks-required", checked: !!f.required}), el("span", {text: t("tkc_required")})]),
      el("button", {type: "button", class: "link", text: t("tkc_remove"), onclick: () => r.remove()})]);
    return r;
  }
  clear(list);
  fields.forEach((f) => list.appendChild(row(f)));
  return el("form", {id: "tks-fields-form", onsubmit: (ev) => {
    ev.preventDefault();
    err.textContent = "";
    const out = Array.prototype.map.call(list.querySelectorAll(".tks-field"), (r) => {
      const f = {key: r.querySelector(".tks-key").value.trim(), kind: r.querySelector(".tks-kind").value,
        label: r.querySelector(".tks-label").value.trim(), required: r.querySelector(".tks-required").checked};
      const opts = r.querySelector(".tks-options").value.split(",").map((s) => s.trim()).filter(Boolean);
      if (f.kind === "select") f.options = opts;
      return f;
    });
    api("PUT", "/admin/tickets/settings/" + encodeURIComponent(siteKey) + "/fields", {fields: out})
      .then(() => X.toast(t("tkc_saved"))).catch((e) => showErr(err, e));
  }}, [el("h4", {text: t("tkc_fields")}), list,
    el("button", {type: "button", id: "tks-add-field", text: t("tkc_add_field"), onclick: () => {
      const r = row({});
      list.appendChild(r);
      r.querySelector(".tks-key").focus();
    }}), err,
    el("button", {type: "submit", class: "primary", id: "tks-save-fields", text: t("tkc_save_fields")})]);
}

function settingsPanel(siteKey) {
  const {t, el, api, report} = X;
  const box = el("section", {class: "card site-form", id: "tks-panel", "aria-labelledby": "tks-title"}, [
    el("h3", {id: "tks-title", text: t("tkc_settings")})]);
  api("GET", "/agent/tickets/settings/" + encodeURIComponent(siteKey)).then((r) => {
    box.appendChild(slaForm(siteKey, r.sla || {}));
    box.appendChild(fieldsForm(siteKey, r.fields || []));
  }).catch(report);
  return box;
}

if (X) {
  X.addStrings(EN, ZH);
  X.addSitePanel(settingsPanel);
}
