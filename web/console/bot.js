/* Parley console: bot management (admins). Plain JS, no build step; loaded by index.html
 * before the console's modules (app/), whose app/supervisor.js calls ParleyBotAdmin.render(host, ctx) when the "Bot" page opens
 * (explicit wiring: this file defines, it registers nothing).
 * Sections: learning queue (labels from "helpful?" / clicked suggestions + missed-question
 * proposals), synonyms, flows (bot_flows.js: ParleyBotFlows.render, called from flows() below),
 * duplicates (merge), figures; "Edit its entries" opens the Knowledge base page on the chosen one.
 * The site selector lists the shared base "_common" every site's bot inherits, then each site
 * and after it each of its departments ("{site}/{department}": a department's bot inherits
 * the site's entries and the shared base; docs/bot.md "Departments").
 * Everything typed by users is rendered with textContent; never innerHTML. */
(function () {
  "use strict";

  var PAGE = 20; // list rows per page

  var STR = {
    en: {
      title: "Bot", site: "Bot (site)", shared: "Shared base (inherited by every site)",
      sec_learning: "Learning queue", sec_synonyms: "Synonyms", sec_flows: "Flows", sec_duplicates: "Duplicates",
      edit_entries: "Edit its entries (Knowledge base page)", dept_note: "This department's bot inherits the site's entries and the shared base.",
      labels_empty: "Nothing waiting. Labels come from \"helpful?\" answers and clicked suggestions.",
      examples: "{n} approved examples teach this bot its answer threshold.",
      col_question: "Visitor question", col_entry: "Entry", col_source: "Source", col_actions: "",
      src_helpful_yes: "Helpful: yes", src_helpful_no: "Helpful: no", src_clicked: "Clicked suggestion",
      out_of_scope: "(out of scope)", approve: "Approve", reject: "Reject", approved: "Approved", rejected: "Rejected",
      proposals: "Questions the bot missed", proposals_empty: "No missed questions.", times: "×{n}",
      add_to: "Add to entry", added: "Added to the entry",
      prev: "Previous", next: "Next", page_of: "{a}-{b} of {n}",
      syn_help: "One group per line, phrases separated by commas: 退款, 退钱, refund",
      save: "Save", saved: "Saved", groups: "{n} groups",
      dup_empty: "No likely duplicates.", merge: "Merge {b} into {a}", merged: "Merged", similarity: "similarity",
      sec_figures: "Figures", fig_range: "Period", fig_days: "Last {n} days", fig_entry: "Entry",
      fig_asked: "Asked", fig_answered: "Answered", fig_offered: "Offered", fig_helpful: "Helpful",
      fig_handed_off: "Handed to a person", fig_resolved: "Closed by the bot",
      fig_deleted: "(deleted)", fig_shared: "Figures belong to a site: choose one above.",
      fig_help: "Asked = answered + offered first. Handed to a person / closed by the bot: after this entry was the bot's last answer.",
      fig_span: "{from} – {to}",
      loading: "Loading…"
    },
    zh: {
      title: "机器人", site: "机器人(站点)", shared: "公共知识库(所有站点继承)",
      sec_learning: "学习队列", sec_synonyms: "同义词", sec_flows: "流程", sec_duplicates: "重复条目",
      edit_entries: "编辑其条目(知识库页面)", dept_note: "该部门的机器人继承站点的条目和公共知识库。",
      labels_empty: "暂无待处理。标注来自访客的“有帮助吗?”和点击的推荐问题。",
      examples: "已批准 {n} 条示例,用于校准本机器人的回答阈值。",
      col_question: "访客问题", col_entry: "条目", col_source: "来源", col_actions: "",
      src_helpful_yes: "有帮助", src_helpful_no: "没帮助", src_clicked: "点击了推荐",
      out_of_scope: "(不在范围内)", approve: "批准", reject: "拒绝", approved: "已批准", rejected: "已拒绝",
      proposals: "机器人没答上的问题", proposals_empty: "没有未答上的问题。", times: "×{n}",
      add_to: "加入条目", added: "已加入条目",
      prev: "上一页", next: "下一页", page_of: "第 {a}-{b} 条,共 {n} 条",
      syn_help: "每行一组,词语用逗号分隔:退款, 退钱, refund",
      save: "保存", saved: "已保存", groups: "{n} 组",
      dup_empty: "没有疑似重复的条目。", merge: "把 {b} 合并到 {a}", merged: "已合并", similarity: "相似度",
      sec_figures: "数据", fig_range: "时间段", fig_days: "最近 {n} 天", fig_entry: "条目",
      fig_asked: "被问", fig_answered: "直接回答", fig_offered: "作为推荐", fig_helpful: "有帮助",
      fig_handed_off: "之后转人工", fig_resolved: "机器人独立解决",
      fig_deleted: "(已删除)", fig_shared: "数据按站点统计:请在上方选择一个站点。",
      fig_help: "被问 = 直接回答 + 作为首个推荐。之后转人工 / 机器人独立解决:以该条目为机器人最后一次回答。",
      fig_span: "{from} 至 {to}",
      loading: "加载中…"
    }
  };

  // the console's own DOM helpers (app/supervisor.js passes them in): text is set as text, never HTML
  var el, clear;

  function render(host, ctx) {
    el = ctx.el; clear = ctx.clear;
    var lang = ctx.lang() === "zh" ? "zh" : "en";
    function t(key, vars) {
      var s = STR[lang][key] || STR.en[key] || key;
      if (vars) Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
      return s;
    }
    function q(site) { return "?site_key=" + encodeURIComponent(site); }
    function errText(e) { return (e && e.message ? e.message : String(e)) + (e && e.details && e.details.field ? " (" + e.details.field + ")" : ""); }
    function errBox() { return el("p", {class: "error", role: "alert"}); }
    function field(label, input) { return el("label", {class: "bot-field"}, [el("span", {text: label}), input]); }

    clear(host);
    host.appendChild(el("h2", {text: t("title")}));
    var site = el("select", {id: "bot-site", "aria-label": t("site")});
    site.appendChild(el("option", {value: "_common", text: t("shared")}));
    var tabs = el("div", {class: "tabs bot-tabs", role: "tablist", "aria-label": t("title")});
    var body = el("div", {id: "bot-body", class: "bot-body", role: "tabpanel"});
    var SECTIONS = ["learning", "synonyms", "flows", "duplicates", "figures"];
    var current = host.getAttribute("data-section") || "learning";
    SECTIONS.forEach(function (s) {
      tabs.appendChild(el("button", {type: "button", role: "tab", id: "bot-tab-" + s,
        "aria-selected": s === current ? "true" : "false", text: t("sec_" + s),
        onclick: function () { current = s; host.setAttribute("data-section", s); show(); }}));
    });
    // arrow keys move between the tabs (keyboard use)
    tabs.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      var i = SECTIONS.indexOf(current) + (e.key === "ArrowRight" ? 1 : -1);
      current = SECTIONS[(i + SECTIONS.length) % SECTIONS.length];
      host.setAttribute("data-section", current);
      show();
      document.getElementById("bot-tab-" + current).focus();
    });
    // its entries are edited on the Knowledge base page (search, CSV), opened on this one
    var editEntries = el("button", {type: "button", id: "bot-edit-entries", text: t("edit_entries"), onclick: function () {
      document.getElementById("page-kb").setAttribute("data-site", site.value);
      document.querySelector("#pages [data-page=kb]").click();
    }});
    host.appendChild(el("div", {class: "row wrap"}, [field(t("site"), site), editEntries]));
    var deptNote = el("p", {class: "muted", id: "bot-dept-note", hidden: true, text: t("dept_note")});
    host.appendChild(deptNote);
    host.appendChild(tabs);
    host.appendChild(body);
    site.addEventListener("change", show);
    ctx.api("GET", "/admin/sites").then(function (r) {
      (r.sites || []).forEach(function (s) {
        var name = s.name || s.site_key;
        site.appendChild(el("option", {value: s.site_key, text: name + " (" + s.site_key + ")"}));
        // a department's knowledge base, "{site}/{department}", right after its site
        (s.departments || []).forEach(function (d) {
          var n = d.name || {}, dn = (lang === "zh" ? n.zh || n.en : n.en || n.zh) || d.id;
          var key = s.site_key + "/" + d.id;
          site.appendChild(el("option", {value: key, text: name + " · " + dn + " (" + key + ")"}));
        });
      });
      var want = host.getAttribute("data-site");
      var known = Array.prototype.some.call(site.options, function (o) { return o.value === want; });
      if (want && known) site.value = want;
      else if ((r.sites || []).length) site.value = r.sites[0].site_key;
      show();
    }).catch(function () { show(); });

    // only the latest tab load draws: a slower load of the tab left earlier must not
    // replace the one the user went to
    var loadGen = 0;
    function show() {
      loadGen += 1;
      host.setAttribute("data-site", site.value);
      deptNote.hidden = site.value.indexOf("/") < 0;
      Array.prototype.forEach.call(tabs.children, function (b) {
        b.setAttribute("aria-selected", b.id === "bot-tab-" + current ? "true" : "false");
        b.tabIndex = b.id === "bot-tab-" + current ? 0 : -1;
      });
      clear(body).appendChild(el("p", {class: "muted", text: t("loading")}));
      ({learning: learning, figures: figures, synonyms: synonyms, flows: flows,
        duplicates: duplicates})[current](site.value);
    }

    function pager(rows, renderRows, holder) {
      var start = 0;
      function draw() {
        clear(holder);
        renderRows(rows.slice(start, start + PAGE), holder);
        if (rows.length > PAGE) {
          holder.appendChild(el("div", {class: "row bot-pager"}, [
            el("button", {type: "button", text: t("prev"), disabled: start === 0,
              onclick: function () { start = Math.max(0, start - PAGE); draw(); }}),
            el("span", {class: "muted", text: t("page_of", {a: start + 1, b: Math.min(rows.length, start + PAGE), n: rows.length})}),
            el("button", {type: "button", text: t("next"), disabled: start + PAGE >= rows.length,
              onclick: function () { start += PAGE; draw(); }})]));
        }
      }
      draw();
    }

    // ---------------------------------------------------------------- learning queue
    function learning(key) {
      var mine = loadGen;
      Promise.all([ctx.api("GET", "/admin/kb/labels" + q(key)), ctx.api("GET", "/admin/kb" + q(key)),
                   ctx.api("GET", "/admin/kb/proposals" + q(key))]).then(function (res) {
        if (mine !== loadGen) return;
        var labels = res[0].labels || [], entries = res[1].entries || [], props = res[2].proposals || [];
        clear(body);
        var err = errBox();
        body.appendChild(el("p", {class: "muted", id: "bot-examples", text: t("examples", {n: res[0].examples || 0})}));
        function entrySelect(selected, id) {
          var s = el("select", {"aria-label": t("col_entry"), id: id});
          s.appendChild(el("option", {value: "", text: t("out_of_scope")}));
          entries.forEach(function (e) { s.appendChild(el("option", {value: e.id, text: e.id + " · " + e.question})); });
          s.value = selected || "";
          return s;
        }
        var list = el("div", {id: "bot-labels"});
        body.appendChild(list);
        body.appendChild(err);
        if (!labels.length) list.appendChild(el("p", {class: "muted", text: t("labels_empty")}));
        else pager(labels, function (rows, holder) {
          var tb = el("tbody");
          rows.forEach(function (lb) {
            var pick = entrySelect(lb.source === "helpful_no" ? "" : lb.entry_id, "bot-label-entry-" + lb.id);
            var tr = el("tr", {"data-label": lb.id}, [
              el("td", {text: lb.text}), el("td", {}, [pick]),
              el("td", {text: t("src_" + lb.source) + (lb.source === "helpful_no" ? " (" + lb.entry_id + ")" : "")})]);
            var act = el("td", {class: "row"}, [
              el("button", {type: "button", class: "primary", text: t("approve"), onclick: function () {
                ctx.api("POST", "/admin/kb/labels/" + encodeURIComponent(lb.id) + "/approve",
                        {site_key: key, entry_id: pick.value || null}).then(function () {
                  ctx.toast(t("approved")); learning(key);
                }).catch(function (e) { err.textContent = errText(e); });
              }}),
              el("button", {type: "button", text: t("reject"), onclick: function () {
                ctx.api("DELETE", "/admin/kb/labels/" + encodeURIComponent(lb.id) + q(key)).then(function () {
                  ctx.toast(t("rejected")); learning(key);
                }).catch(function (e) { err.textContent = errText(e); });
              }})]);
            tr.appendChild(act);
            tb.appendChild(tr);
          });
          holder.appendChild(el("table", {class: "grid"}, [el("thead", {}, [el("tr", {},
            [t("col_question"), t("col_entry"), t("col_source"), t("col_actions")].map(function (h) { return el("th", {text: h}); }))]), tb]));
        }, list);
        body.appendChild(el("h3", {text: t("proposals")}));
        var plist = el("div", {id: "bot-proposals"});
        body.appendChild(plist);
        if (!props.length) plist.appendChild(el("p", {class: "muted", text: t("proposals_empty")}));
        else pager(props, function (rows, holder) {
          var ul = el("ul", {class: "bot-proposals"});
          rows.forEach(function (p, i) {
            var pick = entrySelect("", "bot-prop-entry-" + i);
            ul.appendChild(el("li", {class: "row"}, [el("span", {text: p.representative}),
              el("span", {class: "muted", text: t("times", {n: p.count})}), pick,
              el("button", {type: "button", text: t("add_to"), onclick: function () {
                ctx.api("POST", "/admin/kb/labels", {site_key: key, text: p.representative, entry_id: pick.value || null})
                  .then(function () { ctx.toast(t("added")); learning(key); })
                  .catch(function (e) { err.textContent = errText(e); });
              }})]));
          });
          holder.appendChild(ul);
        }, plist);
      }).catch(function (e) {
        if (mine === loadGen) clear(body).appendChild(el("p", {class: "error", role: "alert", text: errText(e)}));
      });
    }

    // ---------------------------------------------------------------- per-entry figures
    // (server-paged: GET /admin/kb/figures, most asked first; a cursor per page)
    var figDays = "30";
    function figures(key, cursors) {
      var mine = loadGen;
      cursors = cursors || [""];
      clear(body);
      if (key === "_common") { body.appendChild(el("p", {class: "muted", id: "bot-fig-shared", text: t("fig_shared")})); return; }
      var range = el("select", {id: "bot-fig-days", "aria-label": t("fig_range")}, ["7", "30", "90"].map(function (n) {
        return el("option", {value: n, text: t("fig_days", {n: n}), selected: n === figDays});
      }));
      range.addEventListener("change", function () { figDays = range.value; figures(key); });
      body.appendChild(el("div", {class: "row"}, [field(t("fig_range"), range)]));
      var holder = el("div", {id: "bot-figures"}, [el("p", {class: "muted", text: t("loading")})]);
      body.appendChild(holder);
      var cursor = cursors[cursors.length - 1];
      ctx.api("GET", "/admin/kb/figures" + q(key) + "&days=" + figDays + "&limit=" + PAGE +
              (cursor ? "&cursor=" + encodeURIComponent(cursor) : "")).then(function (r) {
        if (mine !== loadGen) return;
        clear(holder);
        holder.appendChild(el("p", {class: "muted", text: t("fig_span", {from: r.from, to: r.to}) + " · " + t("fig_help")}));
        var cols = ["asked", "answered", "offered", "helpful", "handed_off", "resolved"];
        var tb = el("tbody");
        (r.entries || []).forEach(function (e) {
          var name = el("td", {"data-entry": e.id}, [el("strong", {text: e.id}), " ", el("span", {class: "muted", text: e.deleted ? t("fig_deleted") : (e.question || "")})]);
          tb.appendChild(el("tr", {}, [name].concat(cols.map(function (c) {
            var v = c === "helpful" ? e.helpful + " / " + (e.helpful + e.not_helpful) +
              (e.helpful_rate === null ? "" : " (" + Math.round(e.helpful_rate * 100) + "%)") : String(e[c]);
            return el("td", {class: "num", "data-col": c, "data-label": t("fig_" + c), text: v});
          }))));
        });
        holder.appendChild(el("div", {class: "table-wrap"}, [el("table", {class: "grid bot-figures"}, [
          el("thead", {}, [el("tr", {}, [t("fig_entry")].concat(cols.map(function (c) { return t("fig_" + c); })).map(function (h) {
            return el("th", {scope: "col", text: h});
          }))]), tb])]));
        var start = Number(cursor || 0);
        holder.appendChild(el("div", {class: "row bot-pager"}, [
          el("button", {type: "button", text: t("prev"), disabled: cursors.length < 2,
            onclick: function () { figures(key, cursors.slice(0, -1)); }}),
          el("span", {class: "muted", text: t("page_of", {a: r.total ? start + 1 : 0, b: start + (r.entries || []).length, n: r.total})}),
          el("button", {type: "button", text: t("next"), disabled: !r.next_cursor,
            onclick: function () { figures(key, cursors.concat([r.next_cursor])); }})]));
      }).catch(function (e) {
        if (mine === loadGen) clear(holder).appendChild(el("p", {class: "error", role: "alert", text: errText(e)}));
      });
    }

    // ---------------------------------------------------------------- synonyms
    function synonyms(key) {
      var mine = loadGen;
      ctx.api("GET", "/admin/kb/synonyms" + q(key)).then(function (r) {
        if (mine !== loadGen) return;
        clear(body);
        var groups = r.groups || [];
        var area = el("textarea", {id: "bot-synonyms", rows: "12", "aria-describedby": "bot-syn-help",
          value: groups.map(function (g) { return g.join(", "); }).join("\n")});
        var err = errBox();
        body.appendChild(el("form", {class: "card bot-form", onsubmit: function (e) {
          e.preventDefault();
          var out = area.value.split("\n").map(function (line) {
            return line.split(/[,，]/).map(function (p) { return p.trim(); }).filter(Boolean);
          }).filter(function (g) { return g.length; });
          ctx.api("PUT", "/admin/kb/synonyms" + q(key), {groups: out}).then(function (r2) {
            err.textContent = "";
            ctx.toast(t("saved") + " · " + t("groups", {n: (r2.groups || []).length}));
          }).catch(function (e2) { err.textContent = errText(e2); });
        }}, [el("p", {class: "muted", id: "bot-syn-help", text: t("syn_help")}), area, err,
          el("button", {type: "submit", class: "primary", text: t("save")})]));
      }).catch(function (e) {
        if (mine === loadGen) clear(body).appendChild(el("p", {class: "error", role: "alert", text: errText(e)}));
      });
    }

    // ---------------------------------------------------------------- flows (bot_flows.js)
    function flows(key) {
      var mine = loadGen;
      window.ParleyBotFlows.render(body, {api: ctx.api, toast: ctx.toast, el: el, clear: clear, lang: lang, site: key,
        live: function () { return mine === loadGen; }});
    }

    // ---------------------------------------------------------------- duplicates
    function duplicates(key) {
      var mine = loadGen;
      Promise.all([ctx.api("GET", "/admin/kb/duplicates" + q(key)), ctx.api("GET", "/admin/kb" + q(key))]).then(function (res) {
        if (mine !== loadGen) return;
        clear(body);
        var pairs = res[0].pairs || [], byId = {};
        (res[1].entries || []).forEach(function (e) { byId[e.id] = e; });
        var err = errBox();
        var holder = el("div", {id: "bot-duplicates"});
        body.appendChild(holder);
        body.appendChild(err);
        if (!pairs.length) { holder.appendChild(el("p", {class: "muted", text: t("dup_empty")})); return; }
        pager(pairs, function (rows, h) {
          var ul = el("ul", {class: "bot-dups"});
          rows.forEach(function (p) {
            var a = byId[p.a], b = byId[p.b];
            if (!a || !b) return;
            ul.appendChild(el("li", {class: "card"}, [
              el("div", {}, [el("strong", {text: a.id}), " · ", a.question]),
              el("div", {}, [el("strong", {text: b.id}), " · ", b.question]),
              el("div", {class: "muted", text: t("similarity") + " " + Number(p.score).toFixed(2)}),
              el("button", {type: "button", text: t("merge", {a: a.id, b: b.id}), onclick: function () {
                // b's question and similar questions become a's similar questions; b is removed
                var similar = a.similar.slice();
                [b.question].concat(b.similar).forEach(function (s) { if (similar.indexOf(s) < 0 && s !== a.question) similar.push(s); });
                var bodyA = {site_key: key, question: a.question, similar: similar.slice(0, 50), answer: a.answer,
                  tags: a.tags, enabled: a.enabled, learned: (a.learned || []).concat(b.learned || [])};
                ctx.api("PUT", "/admin/kb/" + encodeURIComponent(a.id), bodyA).then(function () {
                  return ctx.api("DELETE", "/admin/kb/" + encodeURIComponent(b.id) + q(key));
                }).then(function () { ctx.toast(t("merged")); duplicates(key); })
                  .catch(function (e) { err.textContent = errText(e); });
              }})]));
          });
          h.appendChild(ul);
        }, holder);
      }).catch(function (e) {
        if (mine === loadGen) clear(body).appendChild(el("p", {class: "error", role: "alert", text: errText(e)}));
      });
    }
  }

  window.ParleyBotAdmin = {render: render, strings: STR};
})();
