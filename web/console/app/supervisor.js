/* Parley console (supervisor.js): the supervisor view, the admin pages wiring and the inbox plug-in points.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  function $() { return PC.$.apply(null, arguments); }
  var S = PC.S;
  function accept() { return PC.accept.apply(null, arguments); }
  function api() { return PC.api.apply(null, arguments); }
  function clear() { return PC.clear.apply(null, arguments); }
  function el() { return PC.el.apply(null, arguments); }
  function fmtDuration() { return PC.fmtDuration.apply(null, arguments); }
  var input = PC.input;
  function isSupervisor() { return PC.isSupervisor.apply(null, arguments); }
  function openConversation() { return PC.openConversation.apply(null, arguments); }
  function openTransfer() { return PC.openTransfer.apply(null, arguments); }
  function report() { return PC.report.apply(null, arguments); }
  function t() { return PC.t.apply(null, arguments); }
  function toast() { return PC.toast.apply(null, arguments); }
  function visitorLabel() { return PC.visitorLabel.apply(null, arguments); }

  function loadAgents() {
    if (!isSupervisor()) return;
    api("GET", "/agent/agents").then(function (r) {
      S.agents = (r && r.agents) || [];
      if (S.page === "supervisor") renderSupervisor();
    }).catch(function () { /* endpoint may not exist yet */ });
  }

  function renderSupervisor() {
    var body = clear($("sup-agents"));
    S.agents.forEach(function (a) {
      body.appendChild(el("tr", {dataset: {agent: a.agent_id}}, [
        el("td", {text: a.name || a.email}),
        el("td", {}, [el("span", {class: "dot " + (a.status || "offline")}), " ", t(a.status || "offline")]),
        el("td", {class: "load-cell", text: (a.active_count || 0) + " / " + (a.capacity || 0)}),
        el("td", {text: (a.teams || []).join(", ")}),
        el("td", {class: "sup-chats"}, (S.lists.all || []).map(function (id) { return S.convs[id]; })
          .filter(function (c) { return c && c.agent_id === a.agent_id && c.status === "assigned"; })
          .map(function (c) {
            return el("span", {class: "sup-chat", dataset: {cid: c.conversation_id}}, [
              el("button", {type: "button", class: "link", text: visitorLabel(c),
                onclick: function () { openConversation(c.conversation_id); }}),
              el("button", {type: "button", class: "small", text: t("reassign"),
                onclick: function () { openConversation(c.conversation_id); openTransfer("reassign"); }})
            ]);
          }))
      ]));
    });
    var q = clear($("sup-queue"));
    (S.lists.queue || []).forEach(function (id, i) {
      var c = S.convs[id];
      if (!c) return;
      var since = (c.attrs && c.attrs.queued_at) || (c.waiting_ms ? Date.now() - c.waiting_ms : c.updated_at);
      q.appendChild(el("tr", {dataset: {cid: id}}, [
        el("td", {text: String(c.queue_position || i + 1)}),
        el("td", {text: visitorLabel(c)}),
        el("td", {text: c.queue_key || c.team || ""}),
        el("td", {"data-since": since, text: t("waiting_for", {t: fmtDuration(Date.now() - since)})}),
        el("td", {}, [el("button", {type: "button", class: "small", text: t("accept"), onclick: function () { accept(id); }})])
      ]));
    });
    if (!q.firstChild) q.appendChild(el("tr", {class: "empty-row"}, [el("td", {colspan: "5", class: "muted", text: t("queue_empty")})]));
  }

  function field(label, input) { return el("label", {}, [el("span", {text: label}), input]); }
  function section(title) { return el("h2", {text: title}); }
  function errBox() { return el("p", {class: "error", role: "alert"}); }
  function showErr(box, e) { box.textContent = e.message + (e.details && e.details.field ? " (" + e.details.field + ")" : ""); }

  /* Places in the inbox that page modules plug into (ext.inbox below); each hook gets the
     conversation and the element it may add to, and must set user text with textContent. */
  var INBOX_HOOKS = {item: [], header: [], visitor: [], message: [], event: []};
  function runHooks(kind) {
    var args = Array.prototype.slice.call(arguments, 1);
    INBOX_HOOKS[kind].forEach(function (fn) {
      try { fn.apply(null, args); } catch (e) { if (window.console) console.error(e); }
    });
  }
  var SITE_PANELS = [];      // extra panels under a site's settings (web/console/audit.js)
  // the admin pages live in admin.js (loaded first); wired here, explicitly
  var ADMIN_PAGES = window.ParleyAdmin({
    el: el, t: t, lang: function () { return PC.getLang(); }, api: api, clear: clear, toast: toast, report: report, $: $,
    field: field, section: section, errBox: errBox, showErr: showErr,
    setCanned: function (list) { S.canned = list; },
    sitePanels: function () { return SITE_PANELS; }
  });
  ADMIN_PAGES.kb = function () { renderKb(); };
  // bot management lives in bot.js (loaded by index.html): called explicitly here
  ADMIN_PAGES.bot = function () {
    window.ParleyBotAdmin.render($("page-bot"), {api: api, toast: toast, el: el, clear: clear, lang: function () { return PC.getLang(); }});
  };

  var KB_PAGE = 50;
  function renderKb() {
    var page = clear($("page-kb"));
    page.appendChild(section(t("page_kb")));
    var site = el("select", {id: "kb-site", "aria-label": t("site")});
    var q = el("input", {type: "search", id: "kb-q", placeholder: t("kb_search"), "aria-label": t("kb_search")});
    var list = el("div", {id: "kb-list"});
    var props = el("div", {id: "kb-proposals"});
    var err = errBox();
    page.appendChild(el("div", {class: "row"}, [site, q, el("button", {type: "button", text: t("export_csv"), onclick: function () {
      api("GET", "/admin/kb/export?site_key=" + encodeURIComponent(site.value), undefined, {raw: true}).then(function (resp) { return resp.blob(); }).then(function (b) {
        var a = el("a", {href: URL.createObjectURL(b), download: "kb-" + site.value.replace("/", "-") + ".csv"});
        document.body.appendChild(a); a.click(); a.remove();
      }).catch(function (e) { showErr(err, e); });
    }})]));
    page.appendChild(err);
    page.appendChild(list);
    var gen = 0;        // a late answer for an earlier site or search is dropped
    function load() {
      var mine = ++gen, key = site.value;
      clear(list);
      api("GET", "/admin/kb?site_key=" + encodeURIComponent(key) + "&q=" + encodeURIComponent(q.value)).then(function (r) {
        if (mine !== gen) return;
        clear(list);
        var tb = el("tbody"), all = r.entries || [], shown = 0;
        // 50 rows at a time (a KB may hold thousands): "Load more" adds the next 50
        var more = el("button", {type: "button", id: "kb-more", text: t("load_more"), onclick: function () {
          var from = shown;
          page50();
          var next = tb.children[from] && tb.children[from].querySelector("input");
          if (next) next.focus();
        }});
        function page50() {
          all.slice(shown, shown + KB_PAGE).forEach(function (en) { tb.appendChild(kbRow(en, load, err, key)); });
          shown = Math.min(all.length, shown + KB_PAGE);
          more.hidden = shown >= all.length;
        }
        page50();
        list.appendChild(el("table", {class: "grid kb"}, [el("thead", {}, [el("tr", {}, [t("question"), t("similar"), t("answer"), t("tags_label"), t("enabled"), ""].map(function (h) { return el("th", {text: h}); }))]), tb]));
        list.appendChild(more);
      }).catch(function (e) { showErr(err, e); });
      clear(props);
      api("GET", "/admin/kb/proposals?site_key=" + encodeURIComponent(site.value)).then(function (r) {
        if (mine !== gen) return;
        clear(props);
        props.appendChild(el("h3", {text: t("proposals")}));
        props.appendChild(el("ul", {class: "plain"}, (r.proposals || []).map(function (p) {
          return el("li", {class: "row"}, [el("strong", {text: p.representative}), el("span", {class: "muted", text: "× " + p.count}),
            el("span", {class: "muted", text: (p.examples || []).slice(0, 3).join(" / ")}),
            el("button", {type: "button", class: "small", text: t("use"), onclick: function () {
              $("kb-new-q").value = p.representative;
              $("kb-new-similar").value = (p.examples || []).filter(function (x) { return x !== p.representative; }).join("\n");
              $("kb-new-a").focus();
            }})]);
        })));
      }).catch(function () { /* proposals are optional */ });
    }
    var nq = el("input", {type: "text", id: "kb-new-q", maxlength: "500", required: true});
    var ns = el("textarea", {id: "kb-new-similar", rows: "2"});
    var na = el("textarea", {id: "kb-new-a", rows: "3", required: true});
    var nt = el("input", {type: "text", id: "kb-new-tags"});
    var cerr = errBox();
    page.appendChild(el("form", {class: "card inline-form", id: "kb-new", onsubmit: function (e) {
      e.preventDefault();
      api("POST", "/admin/kb", {site_key: site.value, question: nq.value.trim(), answer: na.value,
        similar: ns.value.split("\n").map(function (x) { return x.trim(); }).filter(Boolean),
        tags: tagList(nt.value), enabled: true})
        .then(function () { nq.value = ns.value = na.value = nt.value = ""; cerr.textContent = ""; load(); })
        .catch(function (e2) { showErr(cerr, e2); });
    }}, [el("h3", {text: t("create_entry")}), field(t("question"), nq), field(t("similar"), ns), field(t("answer"), na), field(t("tags_label"), nt), cerr,
      el("button", {type: "submit", class: "primary", text: t("create")})]));
    var csvFile = el("input", {type: "file", accept: ".csv,text/csv", id: "kb-csv", "aria-label": t("choose_file")});
    var ierr = el("ul", {class: "error", role: "alert", id: "kb-import-errors"});
    page.appendChild(el("form", {class: "card inline-form", onsubmit: function (e) {
      e.preventDefault();
      clear(ierr);
      var file = csvFile.files && csvFile.files[0];
      if (!file) return;
      file.text().then(function (csv) {
        return api("POST", "/admin/kb/import", {site_key: site.value, csv: csv});
      }).then(function (r) { toast(t("imported", {n: r.imported})); load(); }).catch(function (e2) {
        var lines = (e2.details && e2.details.errors) || [];
        if (!lines.length) ierr.appendChild(el("li", {text: e2.message}));
        lines.forEach(function (x) { ierr.appendChild(el("li", {text: t("line_n", {n: x.line, m: x.message})})); });
      });
    }}, [el("h3", {text: t("import_csv")}), field(t("choose_file"), csvFile), ierr, el("button", {type: "submit", text: t("import_csv")})]));
    page.appendChild(props);
    // the Bot page's "Edit entries" opens this page on its knowledge base (data-site)
    var want = $("page-kb").getAttribute("data-site");
    $("page-kb").removeAttribute("data-site");
    site.appendChild(el("option", {value: "_common", text: t("kb_shared")}));
    api("GET", "/admin/sites").then(function (r) {
      (r.sites || []).forEach(function (s) {
        site.appendChild(el("option", {value: s.site_key, text: s.site_key}));
        // each department's own knowledge base (docs/bot.md "Departments"), after its site
        (s.departments || []).forEach(function (d) {
          site.appendChild(el("option", {value: s.site_key + "/" + d.id, text: s.site_key + " / " + d.id}));
        });
      });
      var known = Array.prototype.some.call(site.options, function (o) { return o.value === want; });
      site.value = known ? want : ((r.sites || [])[0] ? r.sites[0].site_key : "_common");
      load();
    }).catch(report);
    site.addEventListener("change", load);
    var deb;
    q.addEventListener("input", function () { clearTimeout(deb); deb = setTimeout(load, 300); });
  }

  function tagList(v) { return v.split(/[,，]/).map(function (x) { return x.trim(); }).filter(Boolean); }
  // a row of the knowledge base `key` (a site, a department "site/dept" or "_common")
  function kbRow(en, reload, err, key) {
    var qi = el("input", {type: "text", value: en.question, maxlength: "500", "aria-label": t("question")});
    var si = el("textarea", {rows: "2", "aria-label": t("similar")}); si.value = (en.similar || []).join("\n");
    var ai = el("textarea", {rows: "2", "aria-label": t("answer")}); ai.value = en.answer || "";
    var ti = el("input", {type: "text", value: (en.tags || []).join(", "), "aria-label": t("tags_label")});
    var ei = el("input", {type: "checkbox", checked: en.enabled !== false, "aria-label": t("enabled")});
    // the similar questions learned from chats (the learning queue) are said under the box:
    // they count as examples, not as the entry's own words (docs/bot.md "Learning")
    var simCell = [si];
    if ((en.learned || []).length) simCell.push(el("div", {class: "muted kb-learned", text: t("kb_learned", {n: en.learned.length, list: en.learned.join(" · ")})}));
    return el("tr", {}, [el("td", {}, [qi]), el("td", {}, simCell), el("td", {}, [ai]), el("td", {}, [ti]), el("td", {}, [ei]),
      el("td", {}, [el("button", {type: "button", class: "small", text: t("save"), onclick: function () {
        api("PUT", "/admin/kb/" + encodeURIComponent(en.id), {site_key: key, question: qi.value.trim(), answer: ai.value,
          similar: si.value.split("\n").map(function (x) { return x.trim(); }).filter(Boolean),
          tags: tagList(ti.value), enabled: ei.checked})
          .then(function () { toast(t("saved")); }).catch(function (e) { showErr(err, e); });
      }}), el("button", {type: "button", class: "small danger", text: t("delete"), onclick: function () {
        if (!confirm(t("confirm_delete"))) return;
        api("DELETE", "/admin/kb/" + encodeURIComponent(en.id) + "?site_key=" + encodeURIComponent(key)).then(reload).catch(function (e) { showErr(err, e); });
      }})])]);
  }


  Object.assign(PC, {
    loadAgents: loadAgents,
    renderSupervisor: renderSupervisor,
    field: field,
    section: section,
    errBox: errBox,
    showErr: showErr,
    INBOX_HOOKS: INBOX_HOOKS,
    runHooks: runHooks,
    SITE_PANELS: SITE_PANELS,
    ADMIN_PAGES: ADMIN_PAGES,
    renderKb: renderKb,
    kbRow: kbRow
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
