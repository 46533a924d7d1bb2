/* Parley console: the Reports page (issue 13). Loaded after the console's modules (app/), whose app/main.js exposes
 * window.ParleyConsole {api, me, lang, pages}; this file adds pages.reports. Figures come from
 * GET {api}/agent/reports and /agent/reports/now; charts use the vendored Chart.js
 * (vendor/chartjs, MIT). Every user-supplied string is set with textContent. */
(function () {
  "use strict";
  var PC = window.ParleyConsole;
  if (!PC || !PC.pages) return;

  var STR = {
    en: {
      title: "Reports", site: "Site", range: "Period", today: "Today", d7: "Last 7 days",
      d30: "Last 30 days", custom: "Custom", from: "From", to: "To", filter: "Filter",
      all: "Whole site", agent: "Agent", team: "Team", channel: "Channel", apply: "Show",
      now: "Now", waiting: "Waiting", longest: "Longest wait", online: "Agents online",
      in_progress: "Chats in progress", started: "Conversations", handed_off: "Handed off",
      bot_resolution_rate: "Bot resolution", reception_rate: "Reception rate",
      wait: "Wait (avg / p90)", frt: "First response (avg / p50)", handle: "Handle time (avg)",
      csat: "CSAT (avg)", missed: "Missed", abandoned: "Abandoned in queue",
      vs_prev: "vs previous period", no_base: "no previous data", chart_volume: "Volume",
      chart_wait: "Average wait (s)", agents: "Agents", name: "Name",
      assignments: "Chats", closed: "Closed", transfers: "Transfers", msg_agent: "Replies",
      first_response_avg_ms: "First response", response_avg_ms: "Response",
      first_response_p90_ms: "First response p90", handle_p90_ms: "Handle p90", wait_p90_ms: "Wait p90",
      handle_avg_ms: "Handle time", wait_avg_ms: "Wait", rated: "Rated", csat_avg: "CSAT",
      avg_concurrency: "Avg. concurrent", online_ms: "Online time", away_ms: "Away time", more: "Show more", none: "No figures for this period.",
      loading: "Loading…", accepted: "Accepted", by_hour: "by hour", by_day: "by day",
      sort_hint: "Sort by this column", own_only: "Your own figures",
      tickets: "Tickets", tk_created: "Tickets created", tk_solved: "Tickets solved",
      tk_first_reply: "First reply (avg / p50)", tk_resolution: "Resolution (avg / p90)",
      tk_breaches: "SLA breaches (first reply / resolution)", tk_reopened: "Reopened",
      tk_replies: "Ticket replies", tk_first_reply_avg_ms: "Ticket first reply"
    },
    zh: {
      title: "报表", site: "站点", range: "时间范围", today: "今天", d7: "最近 7 天",
      d30: "最近 30 天", custom: "自定义", from: "开始", to: "结束", filter: "筛选",
      all: "整个站点", agent: "客服", team: "团队", channel: "渠道", apply: "查看",
      now: "实时", waiting: "排队中", longest: "最长等待", online: "在线客服",
      in_progress: "进行中的会话", started: "会话数", handed_off: "转人工",
      bot_resolution_rate: "机器人解决率", reception_rate: "接待率",
      wait: "等待时长（平均 / p90）", frt: "首次响应（平均 / p50）", handle: "处理时长（平均）",
      csat: "满意度（平均）", missed: "未接入", abandoned: "排队放弃",
      vs_prev: "较上一周期", no_base: "无上期数据", chart_volume: "会话量",
      chart_wait: "平均等待（秒）", agents: "客服", name: "姓名",
      assignments: "接待数", closed: "已结束", transfers: "转接", msg_agent: "回复数",
      first_response_avg_ms: "首次响应", response_avg_ms: "平均响应",
      first_response_p90_ms: "首次响应 p90", handle_p90_ms: "处理时长 p90", wait_p90_ms: "等待 p90",
      handle_avg_ms: "处理时长", wait_avg_ms: "等待", rated: "评价数", csat_avg: "满意度",
      avg_concurrency: "平均并发", online_ms: "在线时长", away_ms: "离开时长", more: "显示更多", none: "该时间段没有数据。",
      loading: "加载中…", accepted: "已接入", by_hour: "按小时", by_day: "按天",
      sort_hint: "按此列排序", own_only: "仅显示你自己的数据",
      tickets: "工单", tk_created: "新建工单", tk_solved: "已解决工单",
      tk_first_reply: "首次回复（平均 / p50）", tk_resolution: "解决时长（平均 / p90）",
      tk_breaches: "SLA 超时（首次回复 / 解决）", tk_reopened: "重新打开",
      tk_replies: "工单回复数", tk_first_reply_avg_ms: "工单首次回复"
    }
  };
  var COLUMNS = ["name", "assignments", "closed", "transfers", "msg_agent", "first_response_avg_ms",
                 "first_response_p90_ms", "response_avg_ms", "handle_avg_ms", "handle_p90_ms", "wait_avg_ms",
                 "wait_p90_ms", "rated", "csat_avg", "avg_concurrency", "online_ms", "away_ms",
                 "tk_replies", "tk_solved", "tk_first_reply_avg_ms"];
  var PAGE_ROWS = 20;
  var R = {preset: "d7", site: localStorage.getItem("parley.reports.site") || "", filter: "",
           sort: "assignments", desc: true, rows: PAGE_ROWS, data: null, now: null, charts: []};

  function lang() { return (PC.lang && PC.lang()) === "zh" ? "zh" : "en"; }
  function t(k) { return STR[lang()][k] || STR.en[k] || k; }
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === "text") n.textContent = v;
      else if (k.indexOf("on") === 0 && typeof v === "function") n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? "" : String(v));
    });
    (kids || []).forEach(function (c) { if (c) n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }
  function iso(d) {
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function range() {
    var today = new Date();
    if (R.preset === "custom") return {from: R.from || iso(today), to: R.to || iso(today)};
    var back = {today: 0, d7: 6, d30: 29}[R.preset] || 0;
    var first = new Date(today.getFullYear(), today.getMonth(), today.getDate() - back);
    return {from: iso(first), to: iso(today)};
  }
  function secs(ms) {
    if (ms === null || ms === undefined) return "–";
    if (ms < 60000) return Math.round(ms / 1000) + " s";
    if (ms < 3600000) return (ms / 60000).toFixed(1) + " min";
    return (ms / 3600000).toFixed(1) + " h";
  }
  function pct(x) { return x === null || x === undefined ? "–" : (x * 100).toFixed(1) + "%"; }
  function num(x) { return x === null || x === undefined ? "–" : String(x); }
  function cell(key, row) {
    var v = row[key];
    if (key === "name") return row.name || row.agent_id;
    if (/_ms$/.test(key)) return secs(v);
    return num(v);
  }

  // ---------------------------------------------------------------- controls
  function controls() {
    var r = range();
    var preset = el("select", {id: "rp-preset", "aria-label": t("range")},
      ["today", "d7", "d30", "custom"].map(function (p) { return el("option", {value: p, text: t(p)}); }));
    preset.value = R.preset;
    var from = el("input", {id: "rp-from", type: "date", value: r.from, "aria-label": t("from")});
    var to = el("input", {id: "rp-to", type: "date", value: r.to, "aria-label": t("to")});
    from.value = r.from; to.value = r.to;
    var custom = el("span", {class: "row", id: "rp-custom"}, [el("label", {}, [t("from") + " ", from]), el("label", {}, [t("to") + " ", to])]);
    custom.hidden = R.preset !== "custom";
    preset.addEventListener("change", function () { R.preset = preset.value; custom.hidden = R.preset !== "custom"; });
    from.addEventListener("change", function () { R.from = from.value; });
    to.addEventListener("change", function () { R.to = to.value; });
    var site = el("input", {id: "rp-site", type: "text", maxlength: "64", required: true, "aria-label": t("site")});
    site.value = R.site;
    site.addEventListener("input", function () { R.site = site.value.trim(); });
    var filter = el("select", {id: "rp-filter", "aria-label": t("filter")}, [el("option", {value: "", text: t("all")})]);
    var d = R.data;
    if (d && isSup()) {
      (d.agents || []).forEach(function (a) { filter.appendChild(el("option", {value: "agent:" + a.agent_id, text: t("agent") + ": " + (a.name || a.agent_id)})); });
      (d.teams || []).forEach(function (x) { filter.appendChild(el("option", {value: "team:" + x.team, text: t("team") + ": " + x.team})); });
      (d.channels || []).forEach(function (x) { filter.appendChild(el("option", {value: "channel:" + x.channel, text: t("channel") + ": " + x.channel})); });
    }
    if (R.filter && !Array.prototype.some.call(filter.options, function (o) { return o.value === R.filter; })) {
      filter.appendChild(el("option", {value: R.filter, text: R.filter}));
    }
    filter.value = R.filter;
    filter.addEventListener("change", function () { R.filter = filter.value; });
    filter.disabled = !isSup();
    var form = el("form", {id: "rp-form", class: "row wrap reports-controls"}, [
      el("label", {}, [t("site") + " ", site]), el("label", {}, [t("range") + " ", preset]), custom,
      el("label", {}, [t("filter") + " ", filter]),
      el("button", {type: "submit", class: "primary", text: t("apply")})]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      R.site = site.value.trim(); R.filter = filter.value; R.from = from.value; R.to = to.value;
      localStorage.setItem("parley.reports.site", R.site);
      load();
    });
    return form;
  }
  function isSup() { var me = PC.me && PC.me(); return !!me && (me.role === "supervisor" || me.role === "admin"); }

  // ---------------------------------------------------------------- figures
  function card(label, value, change, id) {
    var ch = change === null || change === undefined ? t("no_base") :
      (change >= 0 ? "+" : "") + (change * 100).toFixed(1) + "% " + t("vs_prev");
    return el("div", {class: "card stat", "data-figure": id}, [el("div", {class: "muted", text: label}),
      el("strong", {class: "big", text: value}), el("div", {class: "muted small", text: ch})]);
  }
  function cards(d) {
    var x = d.totals, c = d.change;
    return el("div", {class: "cards", id: "rp-cards"}, [
      card(t("started"), num(x.started), c.started, "started"),
      card(t("handed_off"), num(x.handed_off), c.handed_off, "handed_off"),
      card(t("bot_resolution_rate"), pct(x.bot_resolution_rate), c.bot_resolution_rate, "bot_resolution_rate"),
      card(t("reception_rate"), pct(x.reception_rate), c.reception_rate, "reception_rate"),
      card(t("wait"), secs(x.wait_avg_ms) + " / " + secs(x.wait_p90_ms), c.wait_avg_ms, "wait"),
      card(t("frt"), secs(x.first_response_avg_ms) + " / " + secs(x.first_response_p50_ms), c.first_response_avg_ms, "frt"),
      card(t("handle"), secs(x.handle_avg_ms), c.handle_avg_ms, "handle"),
      card(t("csat"), num(x.csat_avg), c.csat_avg, "csat"),
      card(t("missed"), num(x.missed), c.missed, "missed"),
      card(t("abandoned"), num(x.abandoned), c.abandoned, "abandoned")]);
  }
  function ticketCards(d) {
    var x = d.totals, c = d.change;
    return el("section", {"aria-label": t("tickets")}, [el("h3", {text: t("tickets")}),
      el("div", {class: "cards", id: "rp-tickets"}, [
        card(t("tk_created"), num(x.tk_created), c.tk_created, "tk_created"),
        card(t("tk_solved"), num(x.tk_solved), c.tk_solved, "tk_solved"),
        card(t("tk_first_reply"), secs(x.tk_first_reply_avg_ms) + " / " + secs(x.tk_first_reply_p50_ms),
             c.tk_first_reply_avg_ms, "tk_first_reply"),
        card(t("tk_resolution"), secs(x.tk_resolution_avg_ms) + " / " + secs(x.tk_resolution_p90_ms),
             c.tk_resolution_avg_ms, "tk_resolution"),
        card(t("tk_breaches"), num(x.tk_breach_first_reply) + " / " + num(x.tk_breach_resolution),
             undefined, "tk_breaches"),
        card(t("tk_reopened"), num(x.tk_reopened), undefined, "tk_reopened")])]);
  }
  function nowStrip(n) {
    var strip = el("div", {class: "row wrap now-strip", id: "rp-now", role: "status", "aria-label": t("now")});
    if (!n) return strip;
    [["waiting", num(n.waiting)], ["longest", secs(n.longest_wait_ms)], ["online", num(n.agents_online)],
     ["in_progress", num(n.chats_in_progress)]].forEach(function (p) {
      strip.appendChild(el("span", {class: "pill", "data-now": p[0]}, [t(p[0]) + ": ", el("strong", {text: p[1]})]));
    });
    return strip;
  }
  function charts(d, box) {
    R.charts.forEach(function (c) { c.destroy(); });
    R.charts = [];
    if (typeof window.Chart !== "function") return;
    var labels = d.series.map(function (p) { return d.granularity === "hour" ? p.t.slice(11) : p.t.slice(5); });
    var c1 = el("canvas", {id: "rp-chart-volume", role: "img", "aria-label": t("chart_volume")});
    var c2 = el("canvas", {id: "rp-chart-wait", role: "img", "aria-label": t("chart_wait")});
    box.appendChild(el("figure", {class: "chart"}, [el("figcaption", {text: t("chart_volume") + " (" + t(d.granularity === "hour" ? "by_hour" : "by_day") + ")"}), c1]));
    box.appendChild(el("figure", {class: "chart"}, [el("figcaption", {text: t("chart_wait")}), c2]));
    var opts = {responsive: true, maintainAspectRatio: false, animation: false};
    R.charts.push(new window.Chart(c1, {type: "line", options: opts, data: {labels: labels, datasets: [
      {label: t("started"), data: d.series.map(function (p) { return p.started; })},
      {label: t("handed_off"), data: d.series.map(function (p) { return p.handed_off; })},
      {label: t("accepted"), data: d.series.map(function (p) { return p.accepted; })},
      {label: t("tk_created"), data: d.series.map(function (p) { return p.tk_created; })}]}}));
    R.charts.push(new window.Chart(c2, {type: "bar", options: opts, data: {labels: labels, datasets: [
      {label: t("chart_wait"), data: d.series.map(function (p) { return p.wait_avg_ms === null ? null : Math.round(p.wait_avg_ms / 1000); })}]}}));
  }
  function agentTable(d) {
    var rows = (d.agents || []).slice().sort(function (a, b) {
      var x = a[R.sort], y = b[R.sort];
      if (R.sort === "name") { x = a.name || a.agent_id; y = b.name || b.agent_id; }
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * (R.desc ? -1 : 1);
    });
    var head = el("tr", {}, COLUMNS.map(function (k) {
      var b = el("button", {type: "button", class: "link", "data-sort": k, title: t("sort_hint"), text: t(k)});
      b.addEventListener("click", function () { R.desc = R.sort === k ? !R.desc : k !== "name"; R.sort = k; render(); });
      return el("th", {scope: "col", "aria-sort": R.sort === k ? (R.desc ? "descending" : "ascending") : "none"}, [b]);
    }));
    var body = el("tbody", {}, rows.slice(0, R.rows).map(function (row) {
      return el("tr", {"data-agent": row.agent_id}, COLUMNS.map(function (k) { return el("td", {text: cell(k, row)}); }));
    }));
    var wrap = el("div", {class: "table-wrap"}, [el("table", {class: "grid", id: "rp-agents"}, [el("thead", {}, [head]), body])]);
    var box = el("section", {"aria-label": t("agents")}, [el("h3", {text: t("agents")}), wrap]);
    if (rows.length > R.rows) {
      box.appendChild(el("button", {type: "button", class: "link", id: "rp-more", text: t("more"),
        onclick: function () { R.rows += PAGE_ROWS; render(); }}));
    }
    return box;
  }

  // ---------------------------------------------------------------- load and render
  function render() {
    var page = $("page-reports");
    if (!page) return;
    while (page.firstChild) page.removeChild(page.firstChild);
    page.appendChild(el("h2", {text: t("title")}));
    if (!isSup()) page.appendChild(el("p", {class: "muted", text: t("own_only")}));
    page.appendChild(controls());
    page.appendChild(nowStrip(R.now));
    var d = R.data;
    if (!d) { page.appendChild(el("p", {class: "muted", id: "rp-status", text: R.error || t("loading")})); return; }
    if (R.error) page.appendChild(el("p", {class: "error", role: "alert", text: R.error}));
    page.appendChild(cards(d));
    var chartBox = el("div", {class: "charts"});
    page.appendChild(chartBox);
    charts(d, chartBox);
    page.appendChild(ticketCards(d));
    if (d.agents) page.appendChild(agentTable(d));
  }
  function load() {
    var r = range();
    var q = "site=" + encodeURIComponent(R.site) + "&from=" + r.from + "&to=" + r.to;
    if (R.filter) {
      var i = R.filter.indexOf(":");
      q += "&" + R.filter.slice(0, i) + "=" + encodeURIComponent(R.filter.slice(i + 1));
    }
    R.error = "";
    PC.api("GET", "/agent/reports/now").then(function (n) {
      R.now = n;
      var strip = $("rp-now");
      if (strip) strip.replaceWith(nowStrip(n)); else render();     // keeps focus in the form
    }).catch(function () {});
    return PC.api("GET", "/agent/reports?" + q).then(function (d) { R.data = d; R.rows = PAGE_ROWS; render(); })
      .catch(function (e) { R.error = (e && e.message) || String(e); R.data = null; render(); });
  }

  PC.pages.reports = function () {
    if (!R.site && !R.sitesAsked) {
      // admins start on their first site; others type the site key (kept in localStorage)
      R.sitesAsked = true;
      render();
      if (PC.me && PC.me() && PC.me().role === "admin") {
        PC.api("GET", "/admin/sites").then(function (s) {
          var list = (s && s.sites) || [];
          if (!R.site && list[0]) { R.site = list[0].site_key; load(); }
        }).catch(function () {});
      }
      return;
    }
    if (!R.data && !R.error) { render(); load(); return; }
    render();
  };
})();
