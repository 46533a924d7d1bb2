/* Parley console: the Chat records page (issue 13). Search conversations by date, agent, team,
 * tag, channel, rating, status, visitor and message text (GET {api}/agent/records), open a
 * transcript, export the list or the transcripts as CSV/JSON (small: a direct download; large:
 * a background job polled until its short-lived link is ready). An ES module on the console's
 * helpers (window.ParleyConsole.ext); every server value is set with textContent. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  page_records: "Chat records", rec_filters: "Search chat records", rec_site: "Site",
  rec_from: "From", rec_to: "To", rec_q: "Message text", rec_q_ph: "Words or Chinese (2+ characters)",
  rec_agent: "Agent", rec_any_agent: "Any agent", rec_team: "Team", rec_tag: "Tag",
  rec_channel: "Channel", rec_rating: "Rating", rec_any: "Any", rec_low: "1-2 (low)",
  rec_high: "4-5", rec_status: "Status", rec_open: "Not closed", rec_closed: "Closed",
  rec_visitor: "Visitor (id or name)", rec_search: "Search", rec_started: "Started",
  rec_visitor_col: "Visitor", rec_agent_col: "Agent", rec_status_col: "Status",
  rec_rating_col: "Rating", rec_tags_col: "Tags", rec_open_transcript: "Transcript",
  rec_transcript_of: "Transcript: {v}", rec_close: "Close transcript",
  rec_none: "No chat records for these filters.", rec_more: "Load more", rec_export: "Export",
  rec_format: "Format", rec_with_text: "Include transcripts", rec_exporting: "Preparing the export…",
  rec_export_ready: "Download the export (link valid 15 minutes)", rec_export_failed: "The export failed.",
  rec_downloaded: "Downloaded {f}", rec_need_site: "Enter a site key.", rec_count: "{n} shown",
  rec_partial: "More records may follow: load more."
};
const ZH = {
  page_records: "聊天记录", rec_filters: "搜索聊天记录", rec_site: "站点",
  rec_from: "开始日期", rec_to: "结束日期", rec_q: "消息内容", rec_q_ph: "关键词或中文(至少 2 个字)",
  rec_agent: "客服", rec_any_agent: "全部客服", rec_team: "团队", rec_tag: "标签",
  rec_channel: "渠道", rec_rating: "评分", rec_any: "全部", rec_low: "1-2(差评)",
  rec_high: "4-5", rec_status: "状态", rec_open: "未结束", rec_closed: "已结束",
  rec_visitor: "访客(ID 或姓名)", rec_search: "搜索", rec_started: "开始时间",
  rec_visitor_col: "访客", rec_agent_col: "客服", rec_status_col: "状态",
  rec_rating_col: "评分", rec_tags_col: "标签", rec_open_transcript: "查看记录",
  rec_transcript_of: "聊天记录:{v}", rec_close: "关闭聊天记录",
  rec_none: "没有符合条件的聊天记录。", rec_more: "加载更多", rec_export: "导出",
  rec_format: "格式", rec_with_text: "包含聊天内容", rec_exporting: "正在生成导出文件…",
  rec_export_ready: "下载导出文件(链接 15 分钟内有效)", rec_export_failed: "导出失败。",
  rec_downloaded: "已下载 {f}", rec_need_site: "请输入站点标识。", rec_count: "已显示 {n} 条",
  rec_partial: "可能还有更多记录:请加载更多。"
};

const PAGE_SIZE = 50;
const POLL_MS = 2000;
const POLL_MAX = 150;          // 5 minutes, then the status stays as it is
const FILTERS = ["from", "to", "q", "agent", "team", "tag", "channel", "rating", "status", "visitor"];

function isoDay(d) {
  return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
}
function defaults() {
  const now = new Date();
  return {from: isoDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 6)), to: isoDay(now),
    q: "", agent: "", team: "", tag: "", channel: "", rating: "", status: "", visitor: ""};
}

// survives re-renders (language switch, revisits)
const state = {site: localStorage.getItem("parley.records.site") || localStorage.getItem("parley.reports.site") || "",
  filters: defaults(), records: [], cursor: null, searched: false, agents: [], open: null, exportJob: null};
let requestSeq = 0;
let pollTimer = null;

function t(k, vars) {
  let s = X.t(k);
  Object.keys(vars || {}).forEach((v) => { s = s.replace("{" + v + "}", String(vars[v])); });
  return s;
}
function params() {
  const f = state.filters;
  const out = {site: state.site};
  FILTERS.forEach((k) => { if (f[k]) out[k] = f[k]; });
  return out;
}
function queryString(extra) {
  const p = Object.assign(params(), extra || {});
  return Object.keys(p).map((k) => k + "=" + encodeURIComponent(p[k])).join("&");
}
function ratingText(r) { return r ? "★".repeat(r) + " " + r : "–"; }
function visitorLabel(r) { return r.visitor_name || r.visitor_id || ""; }

function renderRecords() {
  const {el, clear, field, errBox, showErr, report, fmtTime, api} = X;
  const page = clear(document.getElementById("page-records"));
  page.appendChild(X.section(t("page_records")));
  const f = state.filters;
  const input = (id, key, attrs) => el("input", Object.assign({id: id, value: f[key] || ""}, attrs || {}));
  const site = el("input", {id: "rec-site", value: state.site, required: true, maxlength: "64", autocomplete: "off"});
  const from = input("rec-from", "from", {type: "date", required: true});
  const to = input("rec-to", "to", {type: "date", required: true});
  const q = input("rec-q", "q", {type: "search", maxlength: "200", placeholder: t("rec_q_ph")});
  const agent = el("select", {id: "rec-agent"});
  const team = input("rec-team", "team", {maxlength: "64"});
  const tag = input("rec-tag", "tag", {maxlength: "64"});
  const channel = input("rec-channel", "channel", {maxlength: "64"});
  const rating = el("select", {id: "rec-rating"}, [["", t("rec_any")], ["1-2", t("rec_low")], ["3", "3"], ["4-5", t("rec_high")],
    ["1", "1"], ["2", "2"], ["4", "4"], ["5", "5"]].map(([v, s]) => el("option", {value: v, text: s})));
  rating.value = f.rating;
  const status = el("select", {id: "rec-status"}, [["", t("rec_any")], ["closed", t("rec_closed")], ["open", t("rec_open")]]
    .map(([v, s]) => el("option", {value: v, text: s})));
  status.value = f.status;
  const visitor = input("rec-visitor", "visitor", {maxlength: "64"});
  const err = errBox();
  err.id = "rec-error";

  function fillAgents() {
    const keep = f.agent;
    clear(agent);
    agent.appendChild(el("option", {value: "", text: t("rec_any_agent")}));
    state.agents.forEach((a) => agent.appendChild(el("option", {value: a.agent_id, text: a.name || a.email || a.agent_id})));
    agent.value = keep;
  }
  fillAgents();

  const tbody = el("tbody", {id: "rec-rows"});
  const empty = el("p", {class: "muted", id: "rec-empty", text: t("rec_none"), hidden: true});
  const count = el("p", {class: "muted", id: "rec-count", "aria-live": "polite"});
  const more = el("button", {type: "button", id: "rec-more", text: t("rec_more"), hidden: true});
  const transcriptBox = el("section", {class: "card", id: "rec-transcript", hidden: true, "aria-labelledby": "rec-transcript-title"});

  function row(r) {
    return el("tr", {"data-cid": r.conversation_id}, [
      el("td", {text: fmtTime(r.started_at), title: new Date(r.started_at).toISOString()}),
      el("td", {text: visitorLabel(r)}),
      el("td", {text: r.agent_name || r.agent_id || "–"}),
      el("td", {text: r.team || "–"}),
      el("td", {text: r.channel || ""}),
      el("td", {text: r.status === "closed" ? t("rec_closed") : t("rec_open")}),
      el("td", {text: ratingText(r.rating)}),
      el("td", {text: (r.tags || []).join(", ")}),
      el("td", {}, [el("button", {type: "button", class: "small rec-open", text: t("rec_open_transcript"),
        "aria-label": t("rec_open_transcript") + " " + visitorLabel(r), onclick: () => openTranscript(r)})])
    ]);
  }

  function show() {
    clear(tbody);
    state.records.forEach((r) => tbody.appendChild(row(r)));
    more.hidden = !state.cursor;
    empty.hidden = !state.searched || state.records.length > 0 || !!state.cursor;
    count.textContent = state.searched ? t("rec_count", {n: state.records.length}) + (state.cursor ? " · " + t("rec_partial") : "") : "";
  }

  function read() {
    state.site = site.value.trim();
    f.from = from.value; f.to = to.value; f.q = q.value.trim(); f.agent = agent.value;
    f.team = team.value.trim(); f.tag = tag.value.trim(); f.channel = channel.value.trim();
    f.rating = rating.value; f.status = status.value; f.visitor = visitor.value.trim();
    if (state.site) localStorage.setItem("parley.records.site", state.site);
  }

  function load(append) {
    err.textContent = "";
    if (!state.site) { err.textContent = t("rec_need_site"); site.focus(); return Promise.resolve(); }
    const seq = ++requestSeq;
    const extra = {limit: PAGE_SIZE};
    if (append && state.cursor) extra.cursor = state.cursor;
    return api("GET", "/agent/records?" + queryString(extra)).then((r) => {
      if (seq !== requestSeq) return;
      state.records = append ? state.records.concat(r.records || []) : (r.records || []);
      state.cursor = r.cursor || null;
      state.searched = true;
      show();
    }).catch((e) => { if (seq === requestSeq) showErr(err, e); });
  }

  function openTranscript(r) {
    state.open = r.conversation_id;
    clear(transcriptBox);
    const title = el("h3", {id: "rec-transcript-title", tabindex: "-1", text: t("rec_transcript_of", {v: visitorLabel(r)})});
    const list = el("ol", {class: "transcript", id: "rec-transcript-list"});
    const close = el("button", {type: "button", id: "rec-transcript-close", text: t("rec_close"), onclick: () => {
      transcriptBox.hidden = true; state.open = null;
      const back = tbody.querySelector('tr[data-cid="' + CSS.escape(r.conversation_id) + '"] .rec-open');
      if (back) back.focus();
    }});
    transcriptBox.appendChild(el("div", {class: "row spread"}, [title, close]));
    transcriptBox.appendChild(list);
    transcriptBox.hidden = false;
    title.focus();
    api("GET", "/agent/records/" + encodeURIComponent(r.conversation_id) + "/transcript").then((d) => {
      if (state.open !== r.conversation_id) return;
      (d.messages || []).forEach((m) => {
        const s = m.sender || {};
        const who = X.senderName(s.name, s.type);
        const time = el("span", {class: "time", text: fmtTime(m.created_at)});
        const cls = "msg " + (s.type || "") + (m.type === "note" ? " note" : "");
        if (m.type === "event") {           // a system event in words ("Waiting for an agent")
          list.appendChild(el("li", {class: cls + " event"}, [time, " ", el("span", {class: "text", text: X.eventText(m)})]));
          return;
        }
        const body = m.type === "attachment" ? ((m.attachment && m.attachment.name) || "") : (m.text || "");
        list.appendChild(el("li", {class: cls}, [time, " ", el("strong", {text: who}), ": ",
          el("span", {class: "text", text: body})]));
      });
    }).catch(report);
  }

  // ---- export
  const format = el("select", {id: "rec-format"}, [["csv", "CSV"], ["json", "JSON"]].map(([v, s]) => el("option", {value: v, text: s})));
  const withText = el("input", {type: "checkbox", id: "rec-with-text"});
  const exportStatus = el("p", {id: "rec-export-status", "aria-live": "polite"});
  const exportBtn = el("button", {type: "button", id: "rec-export", text: t("rec_export"), onclick: () => startExport()});

  function saveBlob(resp) {
    const disp = resp.headers.get("Content-Disposition") || "";
    const m = /filename="([^"]+)"/.exec(disp);
    const name = m ? m[1] : "records." + format.value;
    return resp.blob().then((blob) => {
      const url = URL.createObjectURL(blob);
      const a = el("a", {href: url, download: name, id: "rec-download", hidden: true});
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
      exportStatus.textContent = t("rec_downloaded", {f: name});
    });
  }

  function showJob(job) {
    clear(exportStatus);
    if (job.status === "done") {
      exportStatus.appendChild(el("a", {href: job.url, id: "rec-export-link", rel: "noopener", text: t("rec_export_ready")}));
    } else if (job.status === "failed") {
      exportStatus.textContent = t("rec_export_failed");
    } else {
      exportStatus.textContent = t("rec_exporting");
    }
  }

  function poll(id, left) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(() => {
      api("GET", "/agent/records/exports/" + encodeURIComponent(id)).then((r) => {
        state.exportJob = r.export;
        if (document.getElementById("rec-export-status") === exportStatus) showJob(r.export);
        if (r.export.status === "pending" && left > 1) poll(id, left - 1);
      }).catch(report);
    }, POLL_MS);
  }

  function startExport() {
    read();
    err.textContent = "";
    if (!state.site) { err.textContent = t("rec_need_site"); site.focus(); return; }
    exportStatus.textContent = t("rec_exporting");
    const body = Object.assign(params(), {format: format.value, transcripts: withText.checked});
    api("POST", "/agent/records/exports", body, {raw: true}).then((resp) => {
      if (resp.status === 202) {
        return resp.json().then((r) => { state.exportJob = r.export; showJob(r.export); poll(r.export.export_id, POLL_MAX); });
      }
      return saveBlob(resp);
    }).catch((e) => { exportStatus.textContent = ""; showErr(err, e); });
  }

  more.addEventListener("click", () => load(true));
  page.appendChild(el("form", {class: "card inline-form", id: "rec-filters", "aria-label": t("rec_filters"), onsubmit: (ev) => {
    ev.preventDefault(); read(); load(false);
  }}, [
    el("div", {class: "row wrap"}, [field(t("rec_site"), site), field(t("rec_from"), from), field(t("rec_to"), to),
      field(t("rec_q"), q)]),
    el("div", {class: "row wrap"}, [field(t("rec_agent"), agent), field(t("rec_team"), team), field(t("rec_tag"), tag),
      field(t("rec_channel"), channel), field(t("rec_rating"), rating), field(t("rec_status"), status),
      field(t("rec_visitor"), visitor)]),
    err,
    el("div", {class: "row wrap"}, [el("button", {type: "submit", class: "primary", id: "rec-search", text: t("rec_search")}),
      field(t("rec_format"), format), el("label", {}, [withText, el("span", {text: " " + t("rec_with_text")})]), exportBtn]),
    exportStatus
  ]));
  page.appendChild(count);
  page.appendChild(el("div", {class: "scroll-x"}, [el("table", {class: "grid", id: "rec-table"}, [
    el("thead", {}, [el("tr", {}, ["rec_started", "rec_visitor_col", "rec_agent_col", "rec_team", "rec_channel", "rec_status_col",
      "rec_rating_col", "rec_tags_col", "rec_open_transcript"].map((k) => el("th", {scope: "col", text: t(k)})))]), tbody])]));
  page.appendChild(empty);
  page.appendChild(more);
  page.appendChild(transcriptBox);
  if (state.exportJob) showJob(state.exportJob);
  show();
  if (!state.agents.length) {
    api("GET", "/agent/agents").then((r) => { state.agents = r.agents || []; fillAgents(); }).catch(() => {});
  }
  // the last seven days show on arrival: the site kept from the last visit, or an admin's
  // first site; others type the site key once (kept in localStorage)
  if (state.site) load(false);
  else if (!state.sitesAsked) {
    state.sitesAsked = true;
    X.firstSite().then((first) => {
      if (state.site || !first || !site.isConnected) return;
      site.value = first;
      read();
      load(false);
    });
  }
}

if (X) {
  X.addStrings(EN, ZH);
  X.addPage("records", renderRecords);
}
