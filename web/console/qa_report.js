/* Parley console: the QA section of the Reports page (docs/qa.md, "Figures"). A separate
 * module: it renders into its own <section id="page-reports-qa" data-page="reports"> (shown
 * with the Reports page) and wraps the Reports page's renderer without touching reports.js.
 * Figures come from GET {api}/agent/qa/summary (supervisors and admins). textContent only. */
const P = window.ParleyConsole;
const X = P && P.ext;

const EN = {
  qar_title: "Quality (QA)", qar_site: "Site", qar_days: "Days", qar_show: "Show",
  qar_auto: "Automatic score (avg)", qar_reviews: "Review score (avg)", qar_n: "{n} conversations",
  qar_agents: "By agent", qar_agent: "Agent", qar_teams: "By team", qar_team: "Team",
  qar_criteria: "By criterion", qar_criterion: "Criterion", qar_findings: "Most frequent findings",
  qar_check: "Check", qar_count: "Times", qar_series: "By day", qar_day: "Day",
  qar_auto_short: "Auto avg", qar_review_short: "Review avg", qar_reviewed: "Reviewed", qar_scored: "Scored",
  qar_none: "No QA figures for this period."
};
const ZH = {
  qar_title: "质检", qar_site: "站点", qar_days: "天数", qar_show: "查看",
  qar_auto: "自动评分(平均)", qar_reviews: "人工评分(平均)", qar_n: "{n} 个会话",
  qar_agents: "按客服", qar_agent: "客服", qar_teams: "按团队", qar_team: "团队",
  qar_criteria: "按评分项", qar_criterion: "评分项", qar_findings: "最常见的自动检查发现",
  qar_check: "检查项", qar_count: "次数", qar_series: "按天", qar_day: "日期",
  qar_auto_short: "自动均分", qar_review_short: "人工均分", qar_reviewed: "人工质检数", qar_scored: "自动评分数",
  qar_none: "该时间段没有质检数据。"
};

const F = {site: localStorage.getItem("parley.reports.site") || "", days: "30", data: null, names: {}, labels: {}};

function root() { return document.getElementById("page-reports-qa"); }
function isSup() { const me = P.me() || {}; return me.role === "supervisor" || me.role === "admin"; }
function num(v) { return v === null || v === undefined ? "–" : String(v); }

function table(cls, heads, rows) {
  return X.el("table", {class: "qa-grid " + cls}, [
    X.el("thead", {}, [X.el("tr", {}, heads.map(function (h) { return X.el("th", {text: X.t(h)}); }))]),
    X.el("tbody", {}, rows.map(function (r) { return X.el("tr", {}, r.map(function (c) { return X.el("td", {text: c}); })); }))]);
}

function render() {
  const box = root();
  if (!box) return;
  X.clear(box);
  if (!isSup()) { box.hidden = true; return; }
  box.appendChild(X.el("h2", {text: X.t("qar_title")}));
  const site = X.el("input", {type: "text", class: "qar-site", value: F.site, maxlength: "64", "aria-label": X.t("qar_site")});
  const days = X.el("select", {class: "qar-days", "aria-label": X.t("qar_days")},
    ["7", "30", "90"].map(function (d) { return X.el("option", {value: d, text: d}); }));
  days.value = F.days;
  box.appendChild(X.el("form", {class: "row qar-form", onsubmit: function (e) {
    e.preventDefault(); F.site = site.value.trim(); F.days = days.value; load();
  }}, [X.field(X.t("qar_site"), site), X.field(X.t("qar_days"), days),
    X.el("button", {type: "submit", class: "small", text: X.t("qar_show")})]));
  const d = F.data;
  if (!d) return;
  if (!d.auto.n && !d.reviews.n) { box.appendChild(X.el("p", {class: "muted qar-none", text: X.t("qar_none")})); return; }
  box.appendChild(X.el("div", {class: "row qar-totals"}, [
    X.el("span", {class: "badge qar-auto", text: X.t("qar_auto") + ": " + num(d.auto.avg) + " · " + X.t("qar_n", {n: d.auto.n})}),
    X.el("span", {class: "badge qar-reviews", text: X.t("qar_reviews") + ": " + num(d.reviews.avg) + " · " + X.t("qar_n", {n: d.reviews.n})})]));
  const cols = X.el("div", {class: "qa-cols"});
  box.appendChild(cols);
  cols.appendChild(X.el("section", {}, [X.el("h3", {text: X.t("qar_agents")}), table("qar-agents",
    ["qar_agent", "qar_scored", "qar_auto_short", "qar_reviewed", "qar_review_short"],
    d.agents.map(function (a) { return [F.names[a.agent_id] || a.agent_id, String(a.auto_n), num(a.auto_avg), String(a.review_n), num(a.review_avg)]; }))]));
  cols.appendChild(X.el("section", {}, [X.el("h3", {text: X.t("qar_findings")}), table("qar-findings",
    ["qar_check", "qar_count"], d.top_findings.map(function (f) { return [f.check, String(f.count)]; }))]));
  cols.appendChild(X.el("section", {}, [X.el("h3", {text: X.t("qar_criteria")}), table("qar-criteria",
    ["qar_criterion", "qar_reviewed", "qar_review_short"],
    d.criteria.map(function (c) { return [F.labels[c.criterion] ? F.labels[c.criterion][X.lang() === "zh" ? "zh" : "en"] : c.criterion, String(c.n), num(c.avg)]; }))]));
  cols.appendChild(X.el("section", {}, [X.el("h3", {text: X.t("qar_teams")}), table("qar-teams",
    ["qar_team", "qar_reviewed", "qar_review_short"], d.teams.map(function (t) { return [t.team, String(t.review_n), num(t.review_avg)]; }))]));
  cols.appendChild(X.el("section", {}, [X.el("h3", {text: X.t("qar_series")}), table("qar-series",
    ["qar_day", "qar_auto_short", "qar_review_short"], d.series.map(function (s) { return [s.day, num(s.auto_avg), num(s.review_avg)]; }))]));
}

function load() {
  if (!F.site) { render(); return; }
  localStorage.setItem("parley.reports.site", F.site);
  Promise.all([
    X.api("GET", "/agent/qa/summary?site_key=" + encodeURIComponent(F.site) + "&days=" + F.days),
    X.api("GET", "/agent/agents").catch(function () { return {agents: []}; }),
    X.api("GET", "/agent/qa-review/rubrics").catch(function () { return {rubrics: []}; })
  ]).then(function (r) {
    F.data = r[0];
    (r[1].agents || []).forEach(function (a) { F.names[a.agent_id] = a.name || a.email; });
    (r[2].rubrics || []).forEach(function (rb) { (rb.criteria || []).forEach(function (c) { F.labels[c.id] = c.label; }); });
    render();
  }).catch(function (e) { X.report(e); render(); });
}

if (X && P.pages) {
  X.addStrings(EN, ZH);
  const reports = P.pages.reports;
  P.pages.reports = function () {
    if (reports) reports();
    if (!F.data && F.site && isSup()) load(); else render();
  };
}

export { render, load };
