/* Parley console: the business-hours editor of the ticket SLA panel (ticket_settings.js): per
 * weekday an "open" box and opening spans of two time inputs each, and a time-zone select.
 * value() gives the API's shape {tz, days: {mon: [["09:00", "17:00"]]}} or throws an Error
 * with a readable message ("to" 00:00 is the end of the day, the API's "24:00"). Values are set
 * as input values, never as HTML. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MAX_SPANS = 6;

export const EN = {
  tkb_mon: "Monday", tkb_tue: "Tuesday", tkb_wed: "Wednesday", tkb_thu: "Thursday", tkb_fri: "Friday",
  tkb_sat: "Saturday", tkb_sun: "Sunday", tkb_add: "Add hours", tkb_remove: "Remove these hours",
  tkb_from: "from", tkb_to: "to", tkb_closed: "Closed", tkb_tz: "Time zone",
  tkb_invalid: "{day}: each opening must start before it ends."
};
export const ZH = {
  tkb_mon: "周一", tkb_tue: "周二", tkb_wed: "周三", tkb_thu: "周四", tkb_fri: "周五",
  tkb_sat: "周六", tkb_sun: "周日", tkb_add: "添加时段", tkb_remove: "删除此时段",
  tkb_from: "开始", tkb_to: "结束", tkb_closed: "休息", tkb_tz: "时区",
  tkb_invalid: "{day}:每个时段的开始时间须早于结束时间。"
};


export function tzSelect(current, id) {
  const {el} = X;
  let zones = [];
  try { zones = Intl.supportedValuesOf("timeZone"); } catch (e) { zones = []; }
  if (zones.indexOf("UTC") < 0) zones = ["UTC"].concat(zones);
  if (current && zones.indexOf(current) < 0) zones = [current].concat(zones);
  const s = el("select", {id}, zones.map((z) => el("option", {value: z, text: z})));
  s.value = current || "UTC";
  return s;
}

export function hoursEditor(hours, prefix) {
  const {t, el} = X;
  const days = (hours && hours.days) || {};
  const rows = {};
  const box = el("div", {class: "hours-days tkb-days"});
  DAYS.forEach((d) => {
    const name = t("tkb_" + d);
    const spans = el("div", {class: "spans"});
    const open = el("input", {type: "checkbox", id: `${prefix}-open-${d}`, checked: (days[d] || []).length > 0});
    const closedNote = el("span", {class: "muted", text: t("tkb_closed")});
    function addSpan(p) {
      const from = el("input", {type: "time", value: p[0], required: true, class: "tkb-from", "aria-label": name + " " + t("tkb_from")});
      const to = el("input", {type: "time", value: p[1] === "24:00" ? "00:00" : p[1], required: true, class: "tkb-to",
        "aria-label": name + " " + t("tkb_to")});
      const row = el("div", {class: "row span"}, [from, el("span", {text: "–", "aria-hidden": "true"}), to]);
      row.appendChild(el("button", {type: "button", class: "small danger", text: "×", "aria-label": name + ": " + t("tkb_remove"),
        onclick: () => { row.remove(); if (!spans.children.length) { open.checked = false; sync(); } else open.focus(); }}));
      spans.appendChild(row);
      add.disabled = spans.children.length >= MAX_SPANS;
    }
    const add = el("button", {type: "button", class: "small", text: t("tkb_add"), "aria-label": name + ": " + t("tkb_add"),
      onclick: () => { addSpan(["13:00", "17:00"]); spans.lastChild.querySelector("input").focus(); }});
    function sync() {
      if (open.checked && !spans.children.length) addSpan(["09:00", "17:00"]);
      spans.hidden = add.hidden = !open.checked;
      closedNote.hidden = open.checked;
    }
    open.addEventListener("change", sync);
    (days[d] || []).forEach(addSpan);
    sync();
    rows[d] = {open, spans};
    box.appendChild(el("div", {class: "day row wrap", dataset: {day: d}}, [
      el("label", {class: "row day-name"}, [open, el("span", {text: name})]), closedNote, spans, add]));
  });
  return {node: box, value: () => {
    const out = {};
    DAYS.forEach((d) => {
      if (!rows[d].open.checked) return;
      out[d] = Array.prototype.map.call(rows[d].spans.querySelectorAll(".span"), (r) => {
        const from = r.querySelector(".tkb-from").value;
        const to = r.querySelector(".tkb-to").value === "00:00" ? "24:00" : r.querySelector(".tkb-to").value;
        if (!(from < to)) throw new Error(t("tkb_invalid", {day: t("tkb_" + d)}));
        return [from, to];
      });
    });
    return out;
  }};
}

if (X) X.addStrings(EN, ZH);
