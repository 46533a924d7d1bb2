/* Parley console: the Quality page (docs/qa.md). Reviewers (supervisors, admins and agents a
 * team's rubric names) work the review queue: the transcript with the automatic findings
 * highlighted, rubric scores, comments on messages. Agents read their own reviews and
 * acknowledge or dispute once; supervisors settle disputes; admins edit rubrics.
 * Plugs in through window.ParleyConsole.ext (console.js); every server value is set with
 * textContent (the el() helper), never as HTML. */
import { renderRules } from "./qa_rules.js";

const P = window.ParleyConsole;
const X = P && P.ext;

const EN = {
  page_qa: "Quality", qa_queue: "Review queue", qa_mine: "My reviews", qa_disputes: "Disputes",
  qa_rubrics: "Rubrics", qa_site: "Site", qa_team: "Team", qa_show: "Show", qa_more: "Show more",
  qa_none: "Nothing here.", qa_closed: "Closed", qa_auto: "Auto score", qa_reasons: "Why",
  qa_status: "Status", qa_score: "Score", qa_open: "Open", qa_back: "Back",
  qa_reason_random: "random sample", qa_reason_low_rating: "low rating", qa_reason_low_auto_score: "low auto score",
  qa_st_queued: "waiting", qa_st_reviewed: "reviewed", qa_st_acknowledged: "acknowledged",
  qa_st_disputed: "disputed", qa_st_settled: "settled",
  qa_transcript: "Transcript", qa_findings: "Automatic findings", qa_rubric: "Rubric",
  qa_comment: "Comment", qa_comment_on: "Comment on message {n}", qa_summary: "Summary",
  qa_submit: "Submit review", qa_submitted: "Review saved", qa_ack: "Acknowledge", qa_dispute: "Dispute",
  qa_dispute_reason: "Why do you dispute this review?", qa_disputed_because: "Disputed: {r}",
  qa_settle: "Settle", qa_uphold: "Uphold", qa_amend: "Amend the scores", qa_settle_comment: "Decision note",
  qa_settled: "Settled ({d}): {c}", qa_points: "{n} / 5", qa_by: "Reviewed by {n}",
  qa_criterion: "Criterion", qa_label_en: "Label (English)", qa_label_zh: "Label (Chinese)",
  qa_weight: "Weight", qa_add_criterion: "Add criterion", qa_random: "Random sample (%)",
  qa_max_rating: "All rated at most (0 = off)", qa_max_auto: "All with auto score below (0 = off)",
  qa_reviewers: "Reviewers (agent ids, comma-separated)", qa_save: "Save", qa_saved: "Saved",
  qa_remove: "Remove", qa_id: "Id", "act_qa.rubric_changed": "QA rubric changed"
};
const ZH = {
  page_qa: "质检", qa_queue: "待质检", qa_mine: "我的质检", qa_disputes: "申诉",
  qa_rubrics: "评分表", qa_site: "站点", qa_team: "团队", qa_show: "查看", qa_more: "显示更多",
  qa_none: "暂无内容。", qa_closed: "结束时间", qa_auto: "自动评分", qa_reasons: "抽检原因",
  qa_status: "状态", qa_score: "得分", qa_open: "打开", qa_back: "返回",
  qa_reason_random: "随机抽检", qa_reason_low_rating: "低评价", qa_reason_low_auto_score: "自动评分低",
  qa_st_queued: "待质检", qa_st_reviewed: "已质检", qa_st_acknowledged: "已确认",
  qa_st_disputed: "申诉中", qa_st_settled: "已裁定",
  qa_transcript: "会话记录", qa_findings: "自动检查发现", qa_rubric: "评分表",
  qa_comment: "批注", qa_comment_on: "批注第 {n} 条消息", qa_summary: "总评",
  qa_submit: "提交质检", qa_submitted: "质检已保存", qa_ack: "确认", qa_dispute: "申诉",
  qa_dispute_reason: "申诉理由", qa_disputed_because: "申诉理由:{r}",
  qa_settle: "裁定", qa_uphold: "维持原评分", qa_amend: "修改评分", qa_settle_comment: "裁定说明",
  qa_settled: "已裁定({d}):{c}", qa_points: "{n} / 5", qa_by: "质检员:{n}",
  qa_criterion: "评分项", qa_label_en: "名称(英文)", qa_label_zh: "名称(中文)",
  qa_weight: "权重", qa_add_criterion: "添加评分项", qa_random: "随机抽检比例(%)",
  qa_max_rating: "评价不高于(0 = 关闭)", qa_max_auto: "自动评分低于(0 = 关闭)",
  qa_reviewers: "质检员(客服 ID,逗号分隔)", qa_save: "保存", qa_saved: "已保存",
  qa_remove: "删除", qa_id: "ID", "act_qa.rubric_changed": "修改质检评分表"
};

const Q = {tab: "mine", site: localStorage.getItem("parley.qa.site") || "", team: "_default",
           rows: [], cursor: null, open: null, rubrics: null, gen: 0};
const base = "/agent/qa-review";

function me() { return P.me() || {}; }
function isSup() { return me().role === "supervisor" || me().role === "admin"; }
function isReviewer() {
  return isSup() || (Q.rubrics || []).some(function (r) { return (r.reviewers || []).indexOf(me().agent_id) >= 0; });
}
function page() { return document.getElementById("page-qa"); }
function label(c) { return (c.label && (X.lang() === "zh" ? c.label.zh : c.label.en)) || c.id; }
function when(ms) { return ms ? new Date(ms).toLocaleString() : ""; }
function enc(x) { return encodeURIComponent(x); }

/* The control with the keyboard's focus, named so the same one can be found after a redraw
 * (its class, and the tab or check it belongs to). */
function focusKey() {
  const a = document.activeElement;
  if (!a || a === document.body || !page().contains(a) || !a.className) return null;
  const owner = a.closest("[data-check]");
  return {cls: String(a.className).trim().split(/\s+/).join("."),
    tab: a.getAttribute("data-qa-tab"), check: owner ? owner.getAttribute("data-check") : null,
    tag: a.tagName};
}

function refocus(k) {
  if (!k) return;
  const sel = k.tag.toLowerCase() + "." + k.cls + (k.tab ? '[data-qa-tab="' + k.tab + '"]' : "");
  const scope = k.check ? page().querySelector('[data-check="' + k.check + '"]') : page();
  const el = scope && scope.querySelector(sel);
  if (el && el !== document.activeElement) el.focus();
}

function render() {
  const kept = focusKey();         // a redraw keeps the keyboard where it was
  try { draw(); } finally { refocus(kept); }
}

function draw() {
  const root = X.clear(page());
  root.appendChild(X.section(X.t("page_qa")));
  const tabs = [["mine", "qa_mine"]];
  if (isReviewer()) tabs.unshift(["queue", "qa_queue"]);
  if (isSup()) tabs.push(["disputes", "qa_disputes"]);
  if (X.isAdmin()) tabs.push(["rubrics", "qa_rubrics"], ["rules", "qa_rules"]);
  if (!tabs.some(function (x) { return x[0] === Q.tab; })) Q.tab = tabs[0][0];
  root.appendChild(X.el("div", {class: "row qa-tabs", role: "tablist"}, tabs.map(function (x) {
    return X.el("button", {type: "button", role: "tab", class: "small", "data-qa-tab": x[0],
      "aria-selected": Q.tab === x[0] && !Q.open ? "true" : "false", text: X.t(x[1]),
      onclick: function () { Q.tab = x[0]; Q.open = null; Q.rows = []; Q.cursor = null; load(); }});
  })));
  const body = X.el("div", {class: "qa-body"});
  root.appendChild(body);
  if (Q.open) return renderReview(body);
  if (Q.tab === "rubrics") return renderRubrics(body);
  if (Q.tab === "rules") return renderRules(body, render);
  if (Q.tab !== "mine") body.appendChild(filters());
  body.appendChild(list());
}

function filters() {
  const site = X.el("input", {type: "text", class: "qa-site", value: Q.site, maxlength: "64", "aria-label": X.t("qa_site")});
  const team = X.el("select", {class: "qa-team", "aria-label": X.t("qa_team")},
    (Q.rubrics || []).map(function (r) { return X.el("option", {value: r.team, text: r.team}); }));
  team.value = Q.team;
  // what is typed is kept as typed: a list load finishing meanwhile redraws the form
  site.addEventListener("input", function () { Q.site = site.value.trim(); });
  team.addEventListener("change", function () { Q.team = team.value || "_default"; });
  return X.el("form", {class: "row qa-filters", onsubmit: function (e) {
    e.preventDefault();
    Q.site = site.value.trim(); Q.team = team.value || "_default";
    localStorage.setItem("parley.qa.site", Q.site);
    Q.rows = []; Q.cursor = null; load();
  }}, [X.field(X.t("qa_site"), site), X.field(X.t("qa_team"), team),
    X.el("button", {type: "submit", class: "small", text: X.t("qa_show")})]);
}

function list() {
  const wrap = X.el("div", {class: "qa-list"});
  if (!Q.rows.length) { wrap.appendChild(X.el("p", {class: "muted", text: X.t("qa_none")})); return wrap; }
  const head = ["qa_closed", "qa_status", "qa_score", "qa_auto", "qa_reasons", ""].map(function (h) { return X.el("th", {text: h ? X.t(h) : ""}); });
  const tb = X.el("tbody");
  Q.rows.forEach(function (r) {
    tb.appendChild(X.el("tr", {"data-cid": r.conversation_id}, [
      X.el("td", {text: when(r.closed_at)}), X.el("td", {text: X.t("qa_st_" + r.status)}),
      X.el("td", {text: r.score === null || r.score === undefined ? "" : String(r.score)}),
      X.el("td", {text: r.auto_score === null || r.auto_score === undefined ? "" : String(r.auto_score)}),
      X.el("td", {text: (r.reasons || []).map(function (x) { return X.t("qa_reason_" + x); }).join(", ")}),
      X.el("td", {}, [X.el("button", {type: "button", class: "small qa-open", text: X.t("qa_open"),
        onclick: function () { openReview(r.conversation_id); }})])]));
  });
  wrap.appendChild(X.el("table", {class: "qa-grid"}, [X.el("thead", {}, [X.el("tr", {}, head)]), tb]));
  if (Q.cursor) wrap.appendChild(X.el("button", {type: "button", class: "small qa-more", text: X.t("qa_more"), onclick: function () { load(true); }}));
  return wrap;
}

function load(more) {
  // only the latest load is drawn: an older list's answer (of this tab or another one the
  // user has since left) finishing late must not replace what is shown, or redraw a form
  // being typed in
  const gen = ++Q.gen;
  let path;
  if (Q.tab === "mine") path = base + "/mine?limit=20";
  else if (Q.tab === "rubrics") return loadRubrics().then(function () { if (gen === Q.gen) render(); });
  else if (Q.tab === "rules") { render(); return Promise.resolve(); }
  else {
    if (!Q.site) { render(); return Promise.resolve(); }
    path = base + "/queue?limit=20&site_key=" + enc(Q.site) + "&team=" + enc(Q.team) +
      (Q.tab === "disputes" ? "&status=disputed" : "");
  }
  if (more && Q.cursor) path += "&cursor=" + enc(Q.cursor);
  return X.api("GET", path).then(function (r) {
    if (gen !== Q.gen) return;
    Q.rows = (more ? Q.rows : []).concat(r.reviews || []);
    Q.cursor = r.cursor || null;
    render();
  }).catch(function (e) { if (gen === Q.gen) { X.report(e); render(); } });
}

function loadRubrics() {
  return X.api("GET", base + "/rubrics").then(function (r) { Q.rubrics = r.rubrics || []; })
    .catch(function () { Q.rubrics = []; });
}

function openReview(cid) {
  return X.api("GET", base + "/reviews/" + enc(cid)).then(function (r) { Q.open = r; render(); }).catch(X.report);
}

function move(path, body) {
  return X.api("POST", base + "/reviews/" + enc(Q.open.review.conversation_id) + path, body || {})
    .then(function () { X.toast(X.t("qa_submitted")); return openReview(Q.open.review.conversation_id); })
    .catch(X.report);
}

function renderReview(body) {
  const r = Q.open.review, criteria = Q.open.criteria || [];
  const comments = {};
  (r.comments || []).forEach(function (c) { (comments[c.seq] = comments[c.seq] || []).push(c.text); });
  const findings = {};
  (Q.open.findings || []).forEach(function (f) { if (f.seq) (findings[f.seq] = findings[f.seq] || []).push(f.check); });
  const canReview = r.status === "queued" && isReviewer() && r.agent_id !== me().agent_id;
  const newComments = {};
  body.appendChild(X.el("div", {class: "row"}, [
    X.el("button", {type: "button", class: "small qa-back", text: X.t("qa_back"), onclick: function () { Q.open = null; load(); }}),
    X.el("strong", {text: r.conversation_id}), X.el("span", {class: "badge qa-status", text: X.t("qa_st_" + r.status)}),
    r.score !== undefined && r.score !== null ? X.el("span", {class: "badge", text: X.t("qa_score") + " " + r.score}) : null,
    Q.open.auto_score !== undefined && Q.open.auto_score !== null ? X.el("span", {class: "badge", text: X.t("qa_auto") + " " + Q.open.auto_score}) : null]));
  const log = X.el("ol", {class: "qa-transcript", "aria-label": X.t("qa_transcript")});
  (Q.open.messages || []).forEach(function (m) {
    // a system event in words ("Waiting for an agent"), a message under its sender's name
    const who = X.senderName((m.sender || {}).name, (m.sender || {}).type);
    const li = X.el("li", {"data-seq": String(m.seq), class: findings[m.seq] ? "qa-finding" : ""}, m.type === "event"
      ? [X.el("span", {class: "muted", text: "#" + m.seq + " "}), X.el("span", {class: "text qa-event", text: X.eventText(m)})]
      : [X.el("span", {class: "muted", text: "#" + m.seq + " " + who + ": "}), X.el("span", {class: "text", text: m.text || ""})]);
    (findings[m.seq] || []).forEach(function (f) {      // the check's name (qa_rules.js), else its id
      const name = X.t("qa_ck_" + f);
      li.appendChild(X.el("span", {class: "qa-finding-note", text: "⚑ " + (name === "qa_ck_" + f ? f : name)}));
    });
    (comments[m.seq] || []).forEach(function (c) { li.appendChild(X.el("span", {class: "qa-comment", text: "✎ " + c})); });
    if (canReview && m.type !== "event") {
      const box = X.el("input", {type: "text", class: "qa-comment-input", maxlength: "1000", hidden: true,
        "aria-label": X.t("qa_comment_on", {n: m.seq}), oninput: function () { newComments[m.seq] = box.value; }});
      li.appendChild(X.el("button", {type: "button", class: "small link qa-comment-btn", text: X.t("qa_comment"),
        "aria-label": X.t("qa_comment_on", {n: m.seq}), onclick: function () { box.hidden = false; box.focus(); }}));
      li.appendChild(box);
    }
    log.appendChild(li);
  });
  const cols = X.el("div", {class: "qa-cols"}, [X.el("section", {}, [X.el("h3", {text: X.t("qa_transcript")}), log])]);
  const side = X.el("section", {class: "qa-criteria"}, [X.el("h3", {text: X.t("qa_rubric")})]);
  cols.appendChild(side);
  body.appendChild(cols);
  if (r.reviewer_name) side.appendChild(X.el("p", {class: "muted", text: X.t("qa_by", {n: r.reviewer_name})}));
  const pick = scorePickers(criteria, r.scores, canReview || (isSup() && r.status === "disputed"));
  side.appendChild(pick.node);
  if (r.summary) side.appendChild(X.el("p", {text: r.summary}));
  if (r.dispute) side.appendChild(X.el("p", {class: "qa-dispute-text", text: X.t("qa_disputed_because", {r: r.dispute.reason})}));
  if (r.settlement) side.appendChild(X.el("p", {text: X.t("qa_settled", {d: X.t(r.settlement.decision === "amend" ? "qa_amend" : "qa_uphold"), c: r.settlement.comment})}));
  if (canReview) {
    const summary = X.el("textarea", {class: "qa-summary", rows: "3", maxlength: "2000", "aria-label": X.t("qa_summary")});
    side.appendChild(X.field(X.t("qa_summary"), summary));
    side.appendChild(X.el("button", {type: "button", class: "primary qa-submit", text: X.t("qa_submit"), onclick: function () {
      const list = Object.keys(newComments).filter(function (s) { return newComments[s].trim(); })
        .map(function (s) { return {seq: Number(s), text: newComments[s].trim()}; });
      const payload = {scores: pick.values(), comments: list};
      if (summary.value.trim()) payload.summary = summary.value.trim();
      move("", payload);
    }}));
  }
  if (r.status === "reviewed" && r.agent_id === me().agent_id) {
    const reason = X.el("textarea", {class: "qa-dispute-reason", rows: "2", maxlength: "1000", "aria-label": X.t("qa_dispute_reason")});
    side.appendChild(X.el("div", {class: "row"}, [X.el("button", {type: "button", class: "small qa-ack", text: X.t("qa_ack"), onclick: function () { move("/acknowledge"); }})]));
    side.appendChild(X.field(X.t("qa_dispute_reason"), reason));
    side.appendChild(X.el("button", {type: "button", class: "small qa-dispute", text: X.t("qa_dispute"), onclick: function () {
      move("/dispute", {reason: reason.value});
    }}));
  }
  if (r.status === "disputed" && isSup()) {
    const note = X.el("textarea", {class: "qa-settle-comment", rows: "2", maxlength: "1000", "aria-label": X.t("qa_settle_comment")});
    side.appendChild(X.field(X.t("qa_settle_comment"), note));
    side.appendChild(X.el("div", {class: "row"}, [
      X.el("button", {type: "button", class: "small qa-uphold", text: X.t("qa_uphold"), onclick: function () { move("/settle", {decision: "uphold", comment: note.value}); }}),
      X.el("button", {type: "button", class: "small qa-amend", text: X.t("qa_amend"), onclick: function () { move("/settle", {decision: "amend", comment: note.value, scores: pick.values()}); }})]));
  }
}

function scorePickers(criteria, scores, editable) {
  const inputs = {};
  const node = X.el("div", {class: "qa-scores"}, criteria.map(function (c) {
    const sel = X.el("select", {class: "qa-score", "data-criterion": c.id, "aria-label": label(c), disabled: !editable},
      [0, 1, 2, 3, 4, 5].map(function (n) { return X.el("option", {value: String(n), text: X.t("qa_points", {n: n})}); }));
    sel.value = String(scores && scores[c.id] !== undefined ? scores[c.id] : 3);
    inputs[c.id] = sel;
    return X.el("label", {}, [X.el("span", {text: label(c) + " (×" + c.weight + ")"}), sel]);
  }));
  return {node: node, values: function () {
    const out = {};
    Object.keys(inputs).forEach(function (k) { out[k] = Number(inputs[k].value); });
    return out;
  }};
}

function renderRubrics(body) {
  (Q.rubrics || []).concat([{team: "", criteria: [], sampling: {}, reviewers: [], isNew: true}]).forEach(function (r) {
    body.appendChild(rubricForm(r));
  });
}

function rubricForm(r) {
  const err = X.errBox();
  const team = X.el("input", {type: "text", class: "qa-r-team", value: r.team || "", maxlength: "64", "aria-label": X.t("qa_team"), readonly: !r.isNew});
  const rows = X.el("div", {class: "qa-r-criteria"});
  function addRow(c) {
    c = c || {label: {}};
    const row = X.el("div", {class: "row qa-r-row"}, [
      X.el("input", {type: "text", class: "qa-r-id", value: c.id || "", maxlength: "40", "aria-label": X.t("qa_id")}),
      X.el("input", {type: "text", class: "qa-r-en", value: c.label.en || "", maxlength: "80", "aria-label": X.t("qa_label_en"), placeholder: X.t("qa_label_en")}),
      X.el("input", {type: "text", class: "qa-r-zh", value: c.label.zh || "", maxlength: "80", "aria-label": X.t("qa_label_zh"), placeholder: X.t("qa_label_zh")}),
      X.el("input", {type: "number", class: "qa-r-weight", value: String(c.weight || 1), min: "1", max: "100", "aria-label": X.t("qa_weight")})]);
    row.appendChild(X.el("button", {type: "button", class: "small", text: X.t("qa_remove"), onclick: function () { row.remove(); }}));
    rows.appendChild(row);
  }
  (r.criteria || []).forEach(addRow);
  if (!(r.criteria || []).length) addRow();
  const s = r.sampling || {};
  const pct = X.el("input", {type: "number", class: "qa-r-pct", min: "0", max: "100", step: "0.1", value: String(s.random_percent !== undefined ? s.random_percent : 5), "aria-label": X.t("qa_random")});
  const rat = X.el("input", {type: "number", class: "qa-r-rating", min: "0", max: "5", value: String(s.max_rating !== undefined ? s.max_rating : 2), "aria-label": X.t("qa_max_rating")});
  const auto = X.el("input", {type: "number", class: "qa-r-auto", min: "0", max: "100", value: String(s.max_auto_score !== undefined ? s.max_auto_score : 60), "aria-label": X.t("qa_max_auto")});
  const revs = X.el("input", {type: "text", class: "qa-r-reviewers", value: (r.reviewers || []).join(", "), "aria-label": X.t("qa_reviewers")});
  return X.el("form", {class: "card inline-form qa-rubric", onsubmit: function (e) {
    e.preventDefault();
    const criteria = Array.prototype.map.call(rows.querySelectorAll(".qa-r-row"), function (row) {
      return {id: row.querySelector(".qa-r-id").value.trim(), weight: Number(row.querySelector(".qa-r-weight").value),
        label: {en: row.querySelector(".qa-r-en").value.trim(), zh: row.querySelector(".qa-r-zh").value.trim()}};
    });
    X.api("PUT", base + "/rubrics/" + enc(team.value.trim() || "_default"), {criteria: criteria,
      sampling: {random_percent: Number(pct.value), max_rating: Number(rat.value), max_auto_score: Number(auto.value)},
      reviewers: revs.value.split(",").map(function (x) { return x.trim(); }).filter(Boolean)})
      .then(function () { X.toast(X.t("qa_saved")); return loadRubrics(); }).then(render).catch(function (e2) { X.showErr(err, e2); });
  }}, [X.field(X.t("qa_team"), team), rows,
    X.el("button", {type: "button", class: "small", text: X.t("qa_add_criterion"), onclick: function () { addRow(); }}),
    X.field(X.t("qa_random"), pct), X.field(X.t("qa_max_rating"), rat), X.field(X.t("qa_max_auto"), auto),
    X.field(X.t("qa_reviewers"), revs), err, X.el("button", {type: "submit", class: "primary", text: X.t("qa_save")})]);
}

if (X) {
  X.addStrings(EN, ZH);
  X.addPage("qa", function () {
    if (Q.rubrics === null) { loadRubrics().then(function () { render(); load(); }); return; }
    render();
  });
}

export { render, load };
