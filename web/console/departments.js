/* Parley console: a site's departments (docs/bot.md "Departments"), a panel under the site's
 * settings on the Sites page. The visitor picks a department in the widget's pre-chat form;
 * each department has its own bot, whose knowledge base ("{site}/{department}", edited on the
 * Bot page) inherits the site's and the shared base, and its chats go to its team (none: the
 * site's team). One row per department: id, name in English and Chinese, team.
 * Saved with a partial PUT /admin/sites/{key} {departments: [...]} (the whole list), so the
 * site form and the other panels never overwrite it. The ids, names and teams are checked
 * here first (empty or malformed id, an id twice, no name); the API's refusals are shown at
 * the row they concern. An ES module on window.ParleyConsole.ext; every typed or server value
 * is set with textContent or .value (the el() helper), never as HTML. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const MAX = 20;
const ID_RE = /^[a-z0-9](?:[a-z0-9_-]{0,30}[a-z0-9])?$/;

const EN = {
  dp_title: "Departments", dp_add: "Add department", dp_save: "Save departments",
  dp_note: "Visitors choose a department before chatting; each department has its own bot " +
    "(its knowledge base inherits the site's; edit it on the Bot page) and its own team.",
  dp_none: "No departments: visitors chat with the site's bot and team.",
  dp_id: "Id", dp_id_hint: "Lowercase letters, digits, _ and -; up to 32, starting and ending with a letter or digit",
  dp_name_en: "Name (English)", dp_name_zh: "Name (Chinese)", dp_team: "Team",
  dp_site_team: "Site's team", dp_site_team_named: "Site's team ({team})",
  dp_remove: "Remove", dp_remove_label: "Remove department {n}", dp_row: "Department {n}",
  dp_err_id: "Enter an id.", dp_err_id_format: "The id may use lowercase letters, digits, _ and - " +
    "(up to 32, starting and ending with a letter or digit).",
  dp_err_duplicate: "The id \"{id}\" is used by another department.",
  dp_err_name: "Give the department a name in English or Chinese.",
  dp_err_team: "The team \"{team}\" no longer exists: pick another one.",
  dp_err_max: "At most {n} departments.", dp_err_fix: "Correct the marked departments, then save."
};
const ZH = {
  dp_title: "咨询部门", dp_add: "添加部门", dp_save: "保存部门",
  dp_note: "访客在开始对话前选择部门;每个部门有自己的机器人(其知识库继承站点的知识库,可在“机器人”页面编辑)和自己的团队。",
  dp_none: "尚未设置部门:访客直接与站点的机器人和团队对话。",
  dp_id: "标识", dp_id_hint: "小写字母、数字、_ 和 -;最多 32 个字符,以字母或数字开头和结尾",
  dp_name_en: "名称(英文)", dp_name_zh: "名称(中文)", dp_team: "团队",
  dp_site_team: "站点的团队", dp_site_team_named: "站点的团队({team})",
  dp_remove: "删除", dp_remove_label: "删除部门 {n}", dp_row: "部门 {n}",
  dp_err_id: "请填写标识。", dp_err_id_format: "标识只能包含小写字母、数字、_ 和 -(最多 32 个字符,以字母或数字开头和结尾)。",
  dp_err_duplicate: "标识“{id}”已被其他部门使用。",
  dp_err_name: "请填写部门的英文或中文名称。",
  dp_err_team: "团队“{team}”已不存在,请另选一个。",
  dp_err_max: "最多 {n} 个部门。", dp_err_fix: "请先更正标出的部门,再保存。"
};

let made = 0;                       // distinct element ids when a page holds more than one panel

/* One department's row: its controls, read() -> the department or null (an untouched row),
   mark(message, control) shows a message at the row and flags the control. */
function deptRow(d, teams, siteTeam, onRemove) {
  const {el, t} = X;
  made += 1;
  const uid = "dp-" + made;
  const id = el("input", {type: "text", id: uid + "-id", class: "dept-id", maxlength: "32", value: d.id || "",
    autocomplete: "off", spellcheck: "false", pattern: "[a-z0-9][a-z0-9_\\-]{0,30}[a-z0-9]|[a-z0-9]",
    title: t("dp_id_hint"), "aria-describedby": "dp-id-hint " + uid + "-error"});
  const name = d.name || {};
  const said = {"aria-describedby": uid + "-error"};      // a control marked wrong is read with the message
  const en = el("input", Object.assign({type: "text", id: uid + "-en", class: "dept-name-en", maxlength: "60",
    value: name.en || ""}, said));
  const zh = el("input", Object.assign({type: "text", id: uid + "-zh", class: "dept-name-zh", maxlength: "60",
    value: name.zh || "", lang: "zh-CN"}, said));
  const known = {};
  teams.forEach((tm) => { known[tm.id] = tm.name || tm.id; });
  const siteLabel = siteTeam ? t("dp_site_team_named", {team: known[siteTeam] || siteTeam}) : t("dp_site_team");
  const options = teams.map((tm) => el("option", {value: tm.id, text: tm.name || tm.id}));
  const team = el("select", Object.assign({id: uid + "-team", class: "dept-team"}, said),
    [el("option", {value: "", text: siteLabel})].concat(options));
  // a team that no longer exists stays visible (saving it is refused at this row)
  if (d.team && !known[d.team]) team.appendChild(el("option", {value: d.team, text: d.team}));
  team.value = d.team || "";
  const err = el("p", {class: "error dept-error", role: "alert", id: uid + "-error"});
  const legend = el("legend", {});
  const remove = el("button", {type: "button", class: "small danger dept-remove", text: t("dp_remove"),
    onclick: onRemove});
  const cell = (label, input) => el("label", {class: "dept-cell"}, [el("span", {text: label}), input]);
  const box = el("fieldset", {class: "dept-row"}, [legend,
    el("div", {class: "row dept-fields"}, [cell(t("dp_id"), id), cell(t("dp_name_en"), en), cell(t("dp_name_zh"), zh),
      cell(t("dp_team"), team), remove]), err]);
  const controls = [id, en, zh, team];
  function label(n) {
    const shown = id.value.trim() || String(n);
    legend.textContent = t("dp_row", {n: shown});
    remove.setAttribute("aria-label", t("dp_remove_label", {n: shown}));
    box.dataset.dept = id.value.trim();
  }
  function clearMark() {
    err.textContent = "";
    controls.forEach((c) => c.removeAttribute("aria-invalid"));
  }
  function mark(message, control) {
    err.textContent = message;
    (control || id).setAttribute("aria-invalid", "true");
  }
  function read() {
    const out = {id: id.value.trim(), name: {en: en.value.trim(), zh: zh.value.trim()}, team: team.value || null};
    return out.id || out.name.en || out.name.zh || out.team ? out : null;
  }
  return {box, id, en, zh, team, controls, label, mark, clearMark, read};
}

function departmentsPanel(siteKey, site, teams) {
  const {api, t, el, errBox, showErr, clear} = X;
  teams = Array.isArray(teams) ? teams : [];
  const siteTeam = (site.settings || {}).team || null;
  const list = el("div", {id: "s-dept-rows", class: "dept-rows"});
  const none = el("p", {class: "muted", id: "s-dept-none", text: t("dp_none")});
  const err = errBox();
  err.id = "s-dept-error";
  let rows = [];

  function relabel() {
    rows.forEach((r, i) => r.label(i + 1));
    none.hidden = rows.length > 0;
    add.disabled = rows.length >= MAX;
  }
  function addRow(d) {
    const row = deptRow(d || {}, teams, siteTeam, () => {
      const i = rows.indexOf(row);
      rows.splice(i, 1);
      row.box.remove();
      relabel();
      // the focus goes on, to the next row's id, else the previous one's, else "Add"
      const next = rows[i] || rows[i - 1];
      (next ? next.id : add).focus();
    });
    row.id.addEventListener("input", () => row.label(rows.indexOf(row) + 1));
    rows.push(row);
    list.appendChild(row.box);
    return row;
  }
  function draw(depts) {
    clear(list);
    rows = [];
    (depts || []).forEach((d) => addRow(d));
    relabel();
  }

  // null when something is wrong (each wrong row marked, the first wrong control focused)
  function collect() {
    const out = [], seen = {};
    let first = null;
    const bad = (row, message, control) => {
      row.mark(message, control);
      if (!first) first = control || row.id;
    };
    rows.forEach((row) => {
      const d = row.read();
      if (!d) return;                                   // an untouched row: ignored
      if (!d.id) bad(row, t("dp_err_id"), row.id);
      else if (!ID_RE.test(d.id)) bad(row, t("dp_err_id_format"), row.id);
      else if (seen[d.id]) bad(row, t("dp_err_duplicate", {id: d.id}), row.id);
      else if (!d.name.en && !d.name.zh) bad(row, t("dp_err_name"), row.en);
      if (d.id) seen[d.id] = true;
      out.push(d);
    });
    if (!first && out.length > MAX) { err.textContent = t("dp_err_max", {n: MAX}); return null; }
    if (first) { err.textContent = t("dp_err_fix"); first.focus(); return null; }
    return out;
  }

  // the API's refusal at its row: by details.id, by details.team, or by a path departments[i]
  function apiError(e, sent) {
    const d = (e && e.details) || {};
    const path = /^departments\[(\d+)\](?:\.([a-z_]+))?/.exec(d.field || "");
    const live = rows.filter((r) => r.read());
    let row = null;
    if (d.id != null) row = live.find((r) => r.read().id === d.id) || null;
    if (!row && e.code === "unknown_team" && d.team != null) row = live.find((r) => r.team.value === d.team) || null;
    if (!row && path && sent[Number(path[1])]) row = live[Number(path[1])] || null;
    if (!row) { showErr(err, e); return; }
    let message = e.message, control = row.id;
    if (e.code === "duplicate_department") message = t("dp_err_duplicate", {id: d.id});
    else if (e.code === "missing_name") { message = t("dp_err_name"); control = row.en; }
    else if (e.code === "unknown_team") {
      message = t("dp_err_team", {team: d.team || row.team.value});
      control = row.team;
    }
    else if (path && path[2] === "name") control = row.en;
    else if (path && path[2] === "team") control = row.team;
    row.mark(message, control);
    err.textContent = t("dp_err_fix");
    control.focus();
  }

  const save = (ev) => {
    ev.preventDefault();
    err.textContent = "";
    rows.forEach((r) => r.clearMark());
    const departments = collect();
    if (!departments) return;
    submit.disabled = true;
    api("PUT", "/admin/sites/" + encodeURIComponent(siteKey), {departments: departments})
      .then((r) => {
        // the rows are redrawn from what was saved; the focus stays on the same row's control
        const focused = rows.findIndex((row) => row.box.contains(document.activeElement));
        const control = focused < 0 ? -1 : rows[focused].controls.indexOf(document.activeElement);
        draw((((r && r.site) || {}).settings || {}).departments || departments);
        if (rows[focused] && control >= 0) rows[focused].controls[control].focus();
        X.toast(t("saved"));
      })
      .catch((e) => apiError(e, departments))
      .then(() => { submit.disabled = false; });
  };

  const add = el("button", {type: "button", id: "s-dept-add", text: t("dp_add"), onclick: () => {
    if (rows.length >= MAX) return;
    const row = addRow({});
    relabel();
    row.id.focus();
  }});
  const submit = el("button", {type: "submit", class: "primary", id: "s-dept-save", text: t("dp_save")});
  draw((site.settings || {}).departments || []);
  return el("form", {class: "card dept-panel", id: "s-dept-panel", "aria-labelledby": "s-dept-title",
    novalidate: true, onsubmit: save}, [
    el("h3", {id: "s-dept-title", text: t("dp_title")}),
    el("p", {class: "muted", id: "s-dept-note", text: t("dp_note")}),
    el("p", {class: "muted small", id: "dp-id-hint", text: t("dp_id") + ": " + t("dp_id_hint")}),
    none, list,
    el("div", {class: "row"}, [add]),
    err,
    submit
  ]);
}

if (X) {
  X.addStrings(EN, ZH);
  X.addSitePanel(departmentsPanel);
}
