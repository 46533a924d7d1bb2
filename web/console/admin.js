/* Parley console: the admin pages (agents, teams, canned responses, sites).
 * Loaded before the console's modules (app/); app/supervisor.js wires it explicitly: ParleyAdmin(kit) returns the page
 * renderers {agents, teams, canned, sites}; kit carries the console's helpers (el, t, api...).
 * Teams, roles, a site's team and business hours are picked from controls, never typed as
 * comma-separated strings; every label is translated (en, zh). User text only via textContent. */
window.ParleyAdmin = function (kit) {
  "use strict";
  var el = kit.el, api = kit.api, clear = kit.clear, toast = kit.toast, report = kit.report;
  var field = kit.field, section = kit.section, errBox = kit.errBox, showErr = kit.showErr, $ = kit.$;

  var STR = {
    en: {
      role_agent: "Agent", role_supervisor: "Supervisor", role_admin: "Admin",
      no_team: "No team (everyone)", no_teams: "No teams yet: create one on the Teams page.",
      teams_none: "none", teams_n: "{n} teams", open_day: "Open", add_hours: "Add hours",
      remove_hours: "Remove these hours", from: "From", to: "To", day_closed: "Closed",
      type_text: "Text", type_email: "Email", type_phone: "Phone", hours_invalid: "{day}: each opening must start before it ends.",
      team_id_hint: "Lowercase letters, digits and hyphens", site_key_hint: "Letters, digits, _ and -",
      ov_to: "Overflow to", ov_none: "No overflow", ov_after: "after (seconds)",
      ov_err_overflow_to_self: "A team cannot overflow to itself.",
      ov_err_unknown_team: "That team no longer exists: pick another one.",
      ov_err_range: "Overflow waits 120 to 86400 seconds.",
      in_use: "This team is still used by: {list}. Change those first, then delete it.",
      in_use_more: "{n} more", in_use_site: "site {id} (handoff team)", in_use_site_teams: "site {id} (teams visitors may pick)",
      in_use_dept: "department {dept} of site {id}", in_use_qa: "site {id} (QA rules)",
      in_use_overflow: "overflow of team {id}", in_use_agent: "member {name}", in_use_queue: "{n} waiting chats"
    },
    zh: {
      role_agent: "客服", role_supervisor: "主管", role_admin: "管理员",
      no_team: "不限团队(所有客服)", no_teams: "还没有团队:请先在“团队”页面创建。",
      teams_none: "无", teams_n: "{n} 个团队", open_day: "营业", add_hours: "添加时段",
      remove_hours: "删除此时段", from: "开始", to: "结束", day_closed: "休息",
      type_text: "文本", type_email: "邮箱", type_phone: "电话", hours_invalid: "{day}:每个时段的开始时间须早于结束时间。",
      team_id_hint: "小写字母、数字和连字符", site_key_hint: "字母、数字、_ 和 -",
      ov_to: "溢出到", ov_none: "不溢出", ov_after: "等待(秒)后",
      ov_err_overflow_to_self: "团队不能溢出到自身。",
      ov_err_unknown_team: "该团队已不存在,请另选一个。",
      ov_err_range: "溢出等待时间须在 120 到 86400 秒之间。",
      in_use: "该团队仍被使用:{list}。请先修改这些设置,再删除。",
      in_use_more: "另有 {n} 项", in_use_site: "站点 {id}(转人工团队)", in_use_site_teams: "站点 {id}(访客可选团队)",
      in_use_dept: "站点 {id} 的部门 {dept}", in_use_qa: "站点 {id}(质检规则)",
      in_use_overflow: "团队 {id} 的溢出设置", in_use_agent: "成员 {name}", in_use_queue: "{n} 个排队中的会话"
    }
  };
  function t(key, vars) {
    var s = (STR[kit.lang()] || STR.en)[key] || STR.en[key];
    if (s === undefined) return kit.t(key, vars);
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
  var ROLES = ["agent", "supervisor", "admin"];
  var DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

  function roleSelect(value, attrs) {
    var s = el("select", attrs, ROLES.map(function (r) { return el("option", {value: r, text: t("role_" + r)}); }));
    s.value = value || "agent";
    return s;
  }

  // A keyboard-usable multi-pick of teams: a disclosure whose summary names the picks.
  function teamPicker(teams, selected, id) {
    var chosen = {};
    (selected || []).forEach(function (x) { chosen[x] = true; });
    var summary = el("summary", {"aria-label": t("teams")});
    var box = el("details", {class: "team-picker", id: id}, [summary]);
    var known = {};
    teams.forEach(function (tm) { known[tm.id] = tm.name || tm.id; });
    // teams an agent still has but that no longer exist stay visible (and can be unticked)
    Object.keys(chosen).forEach(function (x) { if (!known[x]) teams = teams.concat([{id: x, name: x}]); });
    function label() {
      var names = teams.filter(function (tm) { return chosen[tm.id]; }).map(function (tm) { return tm.name || tm.id; });
      summary.textContent = names.length ? (names.length > 2 ? t("teams_n", {n: names.length}) : names.join(", ")) : t("teams_none");
    }
    if (!teams.length) box.appendChild(el("p", {class: "muted", text: t("no_teams")}));
    teams.forEach(function (tm) {
      box.appendChild(el("label", {class: "row"}, [el("input", {type: "checkbox", value: tm.id, checked: chosen[tm.id],
        onchange: function (e) { chosen[tm.id] = e.target.checked; label(); }}), el("span", {text: tm.name || tm.id})]));
    });
    label();
    return {node: box, value: function () { return teams.filter(function (tm) { return chosen[tm.id]; }).map(function (tm) { return tm.id; }); }};
  }

  function loadTeams() {
    return api("GET", "/admin/teams").then(function (r) { return (r && r.teams) || []; });
  }

  function agents() {
    var page = clear($("page-agents"));
    page.appendChild(section(t("page_agents")));
    var table = el("table", {class: "grid"}, [el("thead", {}, [el("tr", {}, [t("name"), t("email"), t("role"), t("capacity"), t("teams"),
      t("disabled_label"), t("new_password"), ""].map(function (h) { return el("th", {text: h}); }))])]);
    var tbody = el("tbody");
    table.appendChild(tbody);
    page.appendChild(table);
    var form = el("div");
    page.appendChild(form);
    Promise.all([api("GET", "/admin/agents"), loadTeams()]).then(function (res) {
      var teams = res[1];
      (res[0].agents || []).forEach(function (a) { tbody.appendChild(agentRow(a, teams)); });
      form.appendChild(newAgentForm(teams));
    }).catch(report);
  }

  function agentRow(a, teams) {
    var name = el("input", {type: "text", value: a.name || "", "aria-label": t("name"), maxlength: "100"});
    var role = roleSelect(a.role, {"aria-label": t("role")});
    var cap = el("input", {type: "number", min: "0", max: "100", value: a.capacity, "aria-label": t("capacity"), class: "num"});
    var picker = teamPicker(teams, a.teams, "teams-" + a.agent_id);
    var dis = el("input", {type: "checkbox", checked: a.disabled, "aria-label": t("disabled_label")});
    var pw = el("input", {type: "password", autocomplete: "new-password", "aria-label": t("new_password")});
    var err = el("span", {class: "error", role: "alert"});
    return el("tr", {dataset: {agent: a.agent_id}}, [el("td", {}, [name]), el("td", {text: a.email}), el("td", {}, [role]),
      el("td", {}, [cap]), el("td", {}, [picker.node]), el("td", {}, [dis]), el("td", {}, [pw]),
      el("td", {}, [el("button", {type: "button", class: "small", text: t("revoke_sessions"), onclick: function () {
        api("POST", "/admin/agents/" + encodeURIComponent(a.agent_id) + "/revoke-sessions", {})
          .then(function () { toast(t("sessions_revoked")); }).catch(function (e) { showErr(err, e); });
      }}), " ", el("button", {type: "button", text: t("save"), onclick: function () {
        var body = {name: name.value, role: role.value, capacity: Number(cap.value), disabled: dis.checked, teams: picker.value()};
        if (pw.value) body.password = pw.value;
        err.textContent = "";
        api("PATCH", "/admin/agents/" + encodeURIComponent(a.agent_id), body).then(function () { pw.value = ""; toast(t("saved")); })
          .catch(function (e) { showErr(err, e); });
      }}), err])]);
  }

  function newAgentForm(teams) {
    var f = {email: el("input", {type: "email", required: true, id: "na-email"}), name: el("input", {type: "text", required: true, id: "na-name", maxlength: "100"}),
      password: el("input", {type: "password", required: true, autocomplete: "new-password", id: "na-password"}),
      role: roleSelect("agent", {id: "na-role"}),
      capacity: el("input", {type: "number", min: "0", max: "100", value: "5", id: "na-capacity", class: "num"})};
    var picker = teamPicker(teams, [], "na-teams");
    var err = errBox();
    return el("form", {class: "card inline-form", id: "new-agent", onsubmit: function (e) {
      e.preventDefault();
      var body = {email: f.email.value.trim(), name: f.name.value.trim(), password: f.password.value, role: f.role.value,
        capacity: Number(f.capacity.value)};
      var picked = picker.value();
      if (picked.length) body.teams = picked;
      err.textContent = "";
      api("POST", "/admin/agents", body).then(function () { toast(t("saved")); agents(); }).catch(function (e2) { showErr(err, e2); });
    }}, [el("h3", {text: t("create_agent")}), field(t("email"), f.email), field(t("name"), f.name), field(t("password"), f.password),
      field(t("role"), f.role), field(t("capacity"), f.capacity),
      el("fieldset", {}, [el("legend", {text: t("teams")}), picker.node]), err,
      el("button", {type: "submit", class: "primary", text: t("create")})]);
  }

  function teamsPage() {
    var page = clear($("page-teams"));
    page.appendChild(section(t("page_teams")));
    var list = el("ul", {class: "plain"});
    page.appendChild(list);
    loadTeams().then(function (teams) {
      teams.forEach(function (tm) {
        var name = el("input", {type: "text", value: tm.name, "aria-label": t("label_name"), maxlength: "100"});
        var manual = el("input", {type: "checkbox", checked: tm.manual_assign, "aria-label": t("manual_assign")});
        var err = el("span", {class: "error", role: "alert"});
        var ov = overflowControls(tm, teams);
        list.appendChild(el("li", {class: "row", dataset: {team: tm.id}}, [el("code", {text: tm.id}), name,
          el("label", {class: "row"}, [manual, el("span", {text: t("manual_assign")})]), ov.node,
          el("button", {type: "button", text: t("save"), onclick: function () {
            err.textContent = "";
            api("PATCH", "/admin/teams/" + encodeURIComponent(tm.id), {name: name.value, manual_assign: manual.checked, overflow: ov.value()})
              .then(function () { toast(t("saved")); }).catch(function (e) { overflowErr(err, e); });
          }}),
          el("button", {type: "button", class: "danger", text: t("delete"), onclick: function () {
            if (!confirm(t("confirm_delete"))) return;
            api("DELETE", "/admin/teams/" + encodeURIComponent(tm.id)).then(teamsPage).catch(function (e) {
              if (e && e.code === "team_in_use") err.textContent = inUse(e.details || {});
              else showErr(err, e);
            });
          }}), err]));
      });
    }).catch(report);
    // the 'v' flag (which browsers use for pattern) wants '-' escaped inside a class
    var id = el("input", {type: "text", required: true, pattern: "[a-z0-9\\-]+", maxlength: "40", id: "nt-id", title: t("team_id_hint")});
    var name = el("input", {type: "text", required: true, maxlength: "100", id: "nt-name"});
    var manual = el("input", {type: "checkbox", id: "nt-manual"});
    var err = errBox();
    page.appendChild(el("form", {class: "card inline-form", id: "new-team", onsubmit: function (e) {
      e.preventDefault();
      api("POST", "/admin/teams", {id: id.value.trim(), name: name.value.trim(), manual_assign: manual.checked})
        .then(teamsPage).catch(function (e2) { showErr(err, e2); });
    }}, [el("h3", {text: t("create_team")}), field(t("team_id"), id), field(t("label_name"), name),
      el("label", {class: "row"}, [manual, el("span", {text: t("manual_assign")})]), err,
      el("button", {type: "submit", class: "primary", text: t("create")})]));
  }

  // A refused delete (409 team_in_use): what still names the team, in the console's language.
  function inUse(details) {
    var refs = details.references || [];
    var FIELD = {team: "in_use_site", teams: "in_use_site_teams", departments: "in_use_dept", qa_team_rules: "in_use_qa"};
    var parts = refs.slice(0, 8).map(function (r) {
      if (r.kind === "site") return t(FIELD[r.field] || "in_use_site", {id: r.id, dept: r.department || ""});
      if (r.kind === "team") return t("in_use_overflow", {id: r.id});
      if (r.kind === "agent") return t("in_use_agent", {name: r.name || r.id});
      return t("in_use_queue", {n: r.count});
    });
    var total = details.count || refs.length;
    if (total > parts.length) parts.push(t("in_use_more", {n: total - parts.length}));
    return t("in_use", {list: parts.join(kit.lang() === "zh" ? "、" : ", ")});
  }

  // A team's overflow (docs/routing.md): to another team after a wait; "" in the pick is none.
  function overflowControls(tm, teams) {
    var ov = tm.overflow || {};
    var to = el("select", {id: "ov-to-" + tm.id, "aria-label": t("ov_to")}, [el("option", {value: "", text: t("ov_none")})].concat(
      teams.filter(function (o) { return o.id !== tm.id; }).map(function (o) { return el("option", {value: o.id, text: o.name || o.id}); })));
    if (ov.to_team && !teams.some(function (o) { return o.id === ov.to_team; })) to.appendChild(el("option", {value: ov.to_team, text: ov.to_team}));
    to.value = ov.to_team || "";
    var after = el("input", {type: "number", min: "120", max: "86400", step: "1", class: "num", id: "ov-after-" + tm.id,
      value: String(ov.after_seconds || 300), "aria-label": t("ov_after")});
    var sync = function () { after.disabled = !to.value; };
    to.addEventListener("change", sync);
    sync();
    return {node: el("span", {class: "row overflow"}, [el("label", {class: "row"}, [el("span", {text: t("ov_to")}), to]),
      el("label", {class: "row"}, [el("span", {text: t("ov_after")}), after])]),
      value: function () { return to.value ? {to_team: to.value, after_seconds: Number(after.value)} : null; }};
  }

  function overflowErr(box, e) {
    var f = (e && e.details && e.details.field) || "";
    if (e && (e.code === "overflow_to_self" || (e.code === "unknown_team" && f === "overflow.to_team"))) box.textContent = t("ov_err_" + e.code);
    else if (f === "overflow.after_seconds") box.textContent = t("ov_err_range");
    else showErr(box, e);
  }

  function canned() {
    var page = clear($("page-canned"));
    page.appendChild(section(t("page_canned")));
    var list = el("ul", {class: "plain"});
    page.appendChild(list);
    api("GET", "/admin/canned").then(function (r) {
      kit.setCanned(r.canned || []);
      (r.canned || []).forEach(function (c) {
        var sc = el("input", {type: "text", value: c.shortcut, maxlength: "30", "aria-label": t("shortcut"), class: "short"});
        var text = el("textarea", {rows: "2", maxlength: "2000", "aria-label": t("text")});
        text.value = c.text;
        var err = el("span", {class: "error", role: "alert"});
        list.appendChild(el("li", {class: "row"}, [sc, text,
          el("button", {type: "button", text: t("save"), onclick: function () {
            api("PATCH", "/admin/canned/" + encodeURIComponent(c.id), {shortcut: sc.value.trim(), text: text.value})
              .then(function () { toast(t("saved")); canned(); }).catch(function (e) { showErr(err, e); });
          }}),
          el("button", {type: "button", class: "danger", text: t("delete"), onclick: function () {
            if (!confirm(t("confirm_delete"))) return;
            api("DELETE", "/admin/canned/" + encodeURIComponent(c.id)).then(canned).catch(function (e) { showErr(err, e); });
          }}), err]));
      });
    }).catch(report);
    var sc = el("input", {type: "text", required: true, maxlength: "30", placeholder: "/hello", id: "nc-shortcut"});
    var text = el("textarea", {rows: "3", required: true, maxlength: "2000", id: "nc-text"});
    var err = errBox();
    page.appendChild(el("form", {class: "card inline-form", onsubmit: function (e) {
      e.preventDefault();
      api("POST", "/admin/canned", {shortcut: sc.value.trim(), text: text.value}).then(canned)
        .catch(function (e2) { showErr(err, e2); });
    }}, [el("h3", {text: t("create_canned")}), field(t("shortcut"), sc), field(t("text"), text), err,
      el("button", {type: "submit", class: "primary", text: t("create")})]));
  }

  function sites(selected) {
    var page = clear($("page-sites"));
    page.appendChild(section(t("page_sites")));
    var pick = el("select", {"aria-label": t("site"), id: "site-pick"});
    var holder = el("div");
    page.appendChild(field(t("site"), pick));
    page.appendChild(holder);
    api("GET", "/admin/sites").then(function (r) {
      (r.sites || []).forEach(function (s) { pick.appendChild(el("option", {value: s.site_key, text: s.site_key + " — " + (s.name || "")})); });
      if (selected) pick.value = selected;
      if (pick.value) siteForm(holder, pick.value);
    }).catch(report);
    pick.addEventListener("change", function () { siteForm(holder, pick.value); });
    var key = el("input", {type: "text", required: true, maxlength: "64", pattern: "[A-Za-z0-9_\\-]+", id: "ns-key", title: t("site_key_hint")});
    var name = el("input", {type: "text", required: true, maxlength: "100", id: "ns-name"});
    var err = errBox();
    page.appendChild(el("form", {class: "card inline-form", onsubmit: function (e) {
      e.preventDefault();
      api("POST", "/admin/sites", {site_key: key.value.trim(), name: name.value.trim()}).then(function (r2) { sites(r2.site.site_key); })
        .catch(function (e2) { showErr(err, e2); });
    }}, [el("h3", {text: t("create_site")}), field(t("site_key"), key), field(t("label_name"), name), err,
      el("button", {type: "submit", class: "primary", text: t("create")})]));
  }

  // Business hours: per day an "open" box and opening spans of two time inputs each.
  function hoursEditor(hours) {
    var days = (hours && hours.days) || {};
    var rows = {};
    var box = el("div", {class: "hours-days"});
    DAYS.forEach(function (d) {
      var spans = el("div", {class: "spans"});
      var open = el("input", {type: "checkbox", id: "s-open-" + d, checked: (days[d] || []).length > 0});
      var add = el("button", {type: "button", class: "small", text: t("add_hours"), "aria-label": t(d) + ": " + t("add_hours"),
        onclick: function () { addSpan(["09:00", "18:00"]); spans.lastChild.querySelector("input").focus(); }});
      var closedNote = el("span", {class: "muted", text: t("day_closed")});
      function addSpan(p) {
        var from = el("input", {type: "time", value: p[0], required: true, "aria-label": t(d) + " " + t("from")});
        var to = el("input", {type: "time", value: p[1], required: true, "aria-label": t(d) + " " + t("to")});
        var row = el("div", {class: "row span"}, [from, el("span", {text: "–", "aria-hidden": "true"}), to]);
        row.appendChild(el("button", {type: "button", class: "small danger", text: "×", "aria-label": t(d) + ": " + t("remove_hours"),
          onclick: function () { row.remove(); if (!spans.children.length) { open.checked = false; sync(); } }}));
        spans.appendChild(row);
      }
      function sync() {
        if (open.checked && !spans.children.length) addSpan(["09:00", "18:00"]);
        spans.hidden = add.hidden = !open.checked;
        closedNote.hidden = open.checked;
      }
      open.addEventListener("change", sync);
      (days[d] || []).forEach(addSpan);
      sync();
      rows[d] = {open: open, spans: spans};
      box.appendChild(el("div", {class: "day row", dataset: {day: d}}, [
        el("label", {class: "row day-name"}, [open, el("span", {text: t(d)})]), closedNote, spans, add]));
    });
    return {node: box, value: function () {
      var out = {}, bad = null;
      DAYS.forEach(function (d) {
        if (!rows[d].open.checked) return;
        out[d] = Array.prototype.map.call(rows[d].spans.querySelectorAll(".span"), function (r) {
          var ins = r.querySelectorAll("input");
          if (!(ins[0].value < ins[1].value) && !bad) bad = t("hours_invalid", {day: t(d)});
          return [ins[0].value, ins[1].value];
        });
      });
      if (bad) throw new Error(bad);
      return out;
    }};
  }

  function timeZoneSelect(current) {
    var zones = [];
    try { zones = Intl.supportedValuesOf("timeZone"); } catch (e) { zones = []; }
    if (zones.indexOf("UTC") < 0) zones = ["UTC"].concat(zones);
    if (current && zones.indexOf(current) < 0) zones = [current].concat(zones);
    var s = el("select", {id: "s-tz"}, zones.map(function (z) { return el("option", {value: z, text: z}); }));
    s.value = current || "UTC";
    return s;
  }

  function teamSelect(teams, current) {
    var s = el("select", {id: "s-team"}, [el("option", {value: "", text: t("no_team")})].concat(
      teams.map(function (tm) { return el("option", {value: tm.id, text: tm.name || tm.id}); })));
    if (current && !teams.some(function (tm) { return tm.id === current; })) s.appendChild(el("option", {value: current, text: current}));
    s.value = current || "";
    return s;
  }

  function prechatType(value) {
    var s = el("select", {"aria-label": t("type")}, ["text", "email", "phone"].map(function (x) { return el("option", {value: x, text: t("type_" + x)}); }));
    s.value = value || "text";
    return s;
  }

  function siteForm(holder, key) {
    clear(holder);
    // only the latest load draws: a slower earlier one (even of the same site) would redraw
    // the form and its panels under the user's hands
    var gen = String(Number(holder.dataset.gen || 0) + 1);
    holder.dataset.gen = gen;
    holder.dataset.site = key;
    Promise.all([api("GET", "/admin/sites/" + encodeURIComponent(key)), loadTeams()]).then(function (res) {
      if (holder.dataset.gen !== gen) return;
      clear(holder);
      var site = res[0].site, s = site.settings || {}, bh = s.business_hours;
      var f = {
        name: el("input", {type: "text", value: site.name || "", maxlength: "100", id: "s-name"}),
        gen: el("input", {type: "text", value: (s.greeting || {}).en || "", maxlength: "500", id: "s-greeting-en"}),
        gzh: el("input", {type: "text", value: (s.greeting || {}).zh || "", maxlength: "500", id: "s-greeting-zh"}),
        color: el("input", {type: "color", value: s.color || "#2563eb", id: "s-color"}),
        position: el("select", {id: "s-position"}, [el("option", {value: "right", text: t("right")}), el("option", {value: "left", text: t("left")})]),
        locale: el("select", {id: "s-locale"}, [["auto", t("auto")], ["en", "English"], ["zh", "中文"]].map(function (x) { return el("option", {value: x[0], text: x[1]}); })),
        bot: el("input", {type: "checkbox", checked: s.bot_enabled !== false, id: "s-bot"}),
        team: teamSelect(res[1], s.team),
        maxWait: el("input", {type: "number", min: "0", max: "86400", value: s.max_wait_seconds != null ? s.max_wait_seconds : "", class: "num", id: "s-max-wait"}),
        idle: el("input", {type: "number", min: "1", max: "10080", value: s.idle_close_minutes != null ? s.idle_close_minutes : "", class: "num", id: "s-idle"}),
        retention: el("input", {type: "number", min: "1", max: "3650", value: s.retention_days != null ? s.retention_days : "", class: "num", id: "s-retention"}),
        misses: el("input", {type: "number", min: "1", max: "10", value: s.bot_handoff_misses != null ? s.bot_handoff_misses : "", class: "num", id: "s-misses"}),
        keywords: el("input", {type: "text", value: (s.bot_handoff_keywords || []).join(", "), id: "s-keywords"}),
        always: el("input", {type: "checkbox", checked: !bh, id: "s-always"}),
        tz: timeZoneSelect((bh || {}).tz || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC")
      };
      f.position.value = s.position || "right";
      f.locale.value = s.locale || "auto";
      var hours = hoursEditor(bh);
      var hoursBody = el("div", {}, [field(t("timezone"), f.tz), hours.node]);
      var syncAlways = function () { hoursBody.hidden = f.always.checked; };
      f.always.addEventListener("change", syncAlways);
      syncAlways();
      var hoursBox = el("fieldset", {class: "hours"}, [el("legend", {text: t("business_hours")}),
        el("label", {class: "row"}, [f.always, el("span", {text: t("always_open")})]), hoursBody]);
      var pre = el("tbody");
      function preRow(p) {
        p = p || {name: "", label: "", type: "text", required: false};
        var tr = el("tr", {class: "pre-row"}, [el("td", {}, [el("input", {type: "text", value: p.name, "aria-label": t("label_name"), maxlength: "40"})]),
          el("td", {}, [el("input", {type: "text", value: p.label, "aria-label": t("label"), maxlength: "100"})]), el("td", {}, [prechatType(p.type)]),
          el("td", {}, [el("input", {type: "checkbox", checked: p.required, "aria-label": t("required")})]),
          el("td", {}, [el("button", {type: "button", class: "danger small", text: "×", "aria-label": t("delete"), onclick: function () { tr.remove(); }})])]);
        pre.appendChild(tr);
      }
      (s.prechat_fields || []).forEach(preRow);
      var err = errBox();
      var snippetBox = el("textarea", {readonly: true, rows: "2", id: "s-snippet", "aria-label": t("snippet")});
      snippetBox.value = site.snippet || "";
      holder.appendChild(el("form", {class: "card site-form", onsubmit: function (e) {
        e.preventDefault();
        err.textContent = "";
        var body = {name: f.name.value.trim(), greeting: {en: f.gen.value, zh: f.gzh.value}, color: f.color.value,
          position: f.position.value, locale: f.locale.value, bot_enabled: f.bot.checked, team: f.team.value || null};
        if (f.maxWait.value !== "") body.max_wait_seconds = Number(f.maxWait.value);
        if (f.idle.value !== "") body.idle_close_minutes = Number(f.idle.value);
        body.retention_days = f.retention.value === "" ? null : Number(f.retention.value);
        if (f.misses.value !== "") body.bot_handoff_misses = Number(f.misses.value);
        body.bot_handoff_keywords = f.keywords.value.split(/[,，\n]/).map(function (x) { return x.trim(); }).filter(Boolean);
        try { body.business_hours = f.always.checked ? null : {tz: f.tz.value, days: hours.value()}; } catch (bad) { err.textContent = bad.message; return; }
        body.prechat_fields = Array.prototype.map.call(pre.querySelectorAll("tr"), function (tr) {
          var ins = tr.querySelectorAll("input, select");
          return {name: ins[0].value.trim(), label: ins[1].value.trim(), type: ins[2].value, required: ins[3].checked};
        });
        api("PUT", "/admin/sites/" + encodeURIComponent(key), body).then(function () { toast(t("saved")); })
          .catch(function (e2) { showErr(err, e2); });
      }}, [
        el("h3", {text: t("site_settings") + " · " + key}),
        field(t("label_name"), f.name), field(t("greeting_en"), f.gen), field(t("greeting_zh"), f.gzh),
        el("div", {class: "row"}, [field(t("color"), f.color), field(t("position_label"), f.position), field(t("locale"), f.locale)]),
        el("label", {class: "row"}, [f.bot, el("span", {text: t("bot_enabled")})]),
        el("div", {class: "row"}, [field(t("default_team"), f.team), field(t("max_wait"), f.maxWait), field(t("idle_close"), f.idle), field(t("retention"), f.retention)]),
        el("div", {class: "row"}, [field(t("handoff_misses"), f.misses), field(t("handoff_keywords"), f.keywords)]),
        hoursBox,
        el("fieldset", {}, [el("legend", {text: t("prechat")}),
          el("table", {class: "grid"}, [el("thead", {}, [el("tr", {}, [t("label_name"), t("label"), t("type"), t("required"), ""].map(function (h) { return el("th", {text: h}); }))]), pre]),
          el("button", {type: "button", text: t("add_field"), onclick: function () { preRow(); }})]),
        err,
        el("button", {type: "submit", class: "primary", text: t("save")}),
        el("h3", {text: t("snippet")}), snippetBox,
        el("button", {type: "button", id: "copy-snippet", text: t("copy"), onclick: function (ev) { copyText(snippetBox, ev.target); }})
      ]));
      // each panel gets the site and the teams (departments.js picks a department's team from them)
      kit.sitePanels().forEach(function (panel) { holder.appendChild(panel(key, site, res[1])); });
    }).catch(report);
  }

  function copyText(box, button) {
    var done = function () { button.textContent = t("copied"); setTimeout(function () { button.textContent = t("copy"); }, 2000); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(box.value).then(done, function () { box.select(); document.execCommand("copy"); done(); });
    else { box.select(); document.execCommand("copy"); done(); }
  }

  return {agents: agents, teams: teamsPage, canned: canned, sites: sites};
};
