/* Parley console: a channel's department, shared by the WeChat and API channel sections of the
 * Channels page. A channel set to one of its site's departments sends its users' new chats to
 * that department's bot and team (docs/channels.md); none keeps the site's. A select of the
 * site's departments (names in the console's language), on the create forms and on each
 * channel's card, where a change is saved at once. Values are set with textContent. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  cd_label: "Department", cd_none: "None (the site's bot and team)", cd_saved: "Department saved",
  cd_unknown: "The site no longer has this department: pick another one."
};
const ZH = {
  cd_label: "咨询部门", cd_none: "无(站点的机器人和团队)", cd_saved: "部门已保存",
  cd_unknown: "该站点已没有这个部门,请另选一个。"
};
if (X) X.addStrings(EN, ZH);

function deptName(d) {
  const n = d.name || {};
  return (X.lang() === "zh" ? n.zh || n.en : n.en || n.zh) || d.id;
}

/* A <select> of `site`'s departments ("" = none), `value` chosen; a department the site no
 * longer has stays visible (by its id) so the admin sees what the channel still names. */
export function departmentSelect(site, value, attrs) {
  const {el, t} = X;
  const depts = (site && site.departments) || [];
  const sel = el("select", Object.assign({"aria-label": t("cd_label")}, attrs || {}),
    [el("option", {value: "", text: t("cd_none")})].concat(
      depts.map((d) => el("option", {value: d.id, text: deptName(d)}))));
  if (value && !depts.some((d) => d.id === value)) sel.appendChild(el("option", {value: value, text: value}));
  sel.value = value || "";
  return sel;
}

export function showDeptError(box, e) {
  if (e && e.code === "unknown_department") box.textContent = X.t("cd_unknown");
  else X.showErr(box, e);
}

/* The department of an existing channel: saved when the pick changes. */
export function departmentField(ch, site, err) {
  const sel = departmentSelect(site, ch.department, {class: "ch-dept", id: "ch-dept-" + ch.id});
  sel.addEventListener("change", () => {
    err.textContent = "";
    X.api("PATCH", "/admin/channels/" + encodeURIComponent(ch.id), {department: sel.value || null})
      .then((r) => { ch.department = r.department; X.toast(X.t("cd_saved")); })
      .catch((e) => { sel.value = ch.department || ""; showDeptError(err, e); });
  });
  return X.field(X.t("cd_label"), sel);
}
