/* Parley console: the Bot page's "Flows" tab (admins). Plain JS, no build step; loaded by
 * index.html before bot.js, whose flows tab calls ParleyBotFlows.render(host, ctx)
 * (explicit wiring: this file defines, it registers nothing).
 * A structured editor per flow: id, triggers, endpoint, answer templates, slots (one card per
 * slot, in the order the bot asks: name, kind, pattern, check, question and invalid-answer text
 * zh/en; add, remove, move up/down), readable-value labels (field, code, zh/en rows), the
 * flow's own texts (cancelled, invalid, too many: zh/en, the built-in ones as placeholders), a
 * template preview and a test run against the endpoint. It saves the format PUT
 * /v1/admin/kb/flows validates (chalicelib/services/bot_flows.py); what nobody edited is saved
 * back exactly as it was loaded. The API's validation errors are shown next to the flow (and
 * the slot) they name.
 * Everything typed is rendered with textContent (the console's el()); never innerHTML. */
(function () {
  "use strict";

  var KINDS = ["order", "regex", "phone", "email", "date", "number", "text"];
  var PATTERN_KINDS = ["order", "regex"];   // the kinds that extract with `pattern` (required)
  var MAX_SLOTS = 10;
  var EDITED = ["id", "triggers", "slots", "action", "answers", "labels", "texts"];
  // the flow's own texts this editor shows ("failure" is the answer's failure text above)
  var TEXT_KEYS = ["cancelled", "invalid", "too_many"];   // a flow's keys this editor shows

  var seq = 0;   // ids for aria-describedby

  var STR = {
    en: {
      flows_empty: "No flows yet.", new_flow: "New flow", remove: "Remove", saved: "Saved",
      save_flows: "Save all flows", loading: "Loading…",
      f_id: "Flow id", f_trig_zh: "Triggers (中文, one per line)", f_trig_en: "Triggers (English, one per line)",
      f_url: "Endpoint URL", f_method: "Method", f_timeout: "Timeout (s)",
      f_ok_zh: "Answer template (中文)", f_ok_en: "Answer template (English)",
      f_fail_zh: "Failure text (中文)", f_fail_en: "Failure text (English)",
      slots: "Slots (the bot asks for them in this order)", slot_n: "Slot {n}",
      slots_empty: "No slots: the endpoint is called as soon as a trigger is seen.",
      s_name: "Name (used as {name} in the templates)", s_kind: "Kind",
      k_order: "Order number (pattern)", k_regex: "Custom pattern", k_phone: "Phone number", k_email: "Email",
      k_date: "Date", k_number: "Number", k_text: "Free text (the whole answer)",
      s_pattern: "Pattern (regular expression that finds the value)",
      s_pattern_unused: "Not used by this kind: clear it, or choose order number / custom pattern.",
      s_validate: "Check (regular expression the whole value must match; optional)",
      s_prompt_zh: "Question (中文)", s_prompt_en: "Question (English)",
      s_invalid_zh: "Invalid-answer text (中文)", s_invalid_en: "Invalid-answer text (English)",
      add_slot: "Add a slot", slot_up: "Move up", slot_down: "Move down", remove_slot: "Remove slot",
      slots_max: "A flow has at most {n} slots.",
      labels: "Readable values (what visitors see for the codes the endpoint returns)",
      labels_empty: "None: codes are shown with the built-in words (processing → 处理中 …).",
      l_row: "Readable value {n}", l_field: "Response field", l_code: "Code",
      l_zh: "Text (中文)", l_en: "Text (English)", add_label: "Add a readable value",
      label_incomplete: "Readable value {n}: fill in the response field and the code.",
      label_dup: "Readable value {n}: {f} → {c} is there twice.",
      bad_json: "Not valid JSON: {f}",
      texts: "What the bot says during the flow (empty: the built-in text shown in grey)",
      x_cancelled_zh: "When the visitor cancels (中文)", x_cancelled_en: "When the visitor cancels (English)",
      x_invalid_zh: "When an answer is not valid, for slots without their own text (中文)",
      x_invalid_en: "When an answer is not valid, for slots without their own text (English)",
      x_too_many_zh: "After three answers that are not valid (中文)",
      x_too_many_en: "After three answers that are not valid (English)",
      test_run: "Test", test_values: "Endpoint reply (JSON)", preview: "Preview the template",
      test_msgs: "Visitor messages (one per line)", run: "Run with the endpoint", no_reply: "(not part of the flow)"
    },
    zh: {
      flows_empty: "还没有流程。", new_flow: "新建流程", remove: "删除", saved: "已保存",
      save_flows: "保存全部流程", loading: "加载中…",
      f_id: "流程标识", f_trig_zh: "触发词(中文,每行一个)", f_trig_en: "触发词(英文,每行一个)",
      f_url: "接口地址", f_method: "方法", f_timeout: "超时(秒)",
      f_ok_zh: "回答模板(中文)", f_ok_en: "回答模板(英文)",
      f_fail_zh: "失败提示(中文)", f_fail_en: "失败提示(英文)",
      slots: "槽位(机器人按此顺序询问)", slot_n: "槽位 {n}",
      slots_empty: "没有槽位:一触发就调用接口。",
      s_name: "名称(模板中写作 {name})", s_kind: "类型",
      k_order: "订单号(按提取模式)", k_regex: "自定义模式", k_phone: "手机号", k_email: "邮箱",
      k_date: "日期", k_number: "数字", k_text: "任意文字(整条回答)",
      s_pattern: "提取模式(找出取值的正则表达式)",
      s_pattern_unused: "此类型不使用提取模式:可清空,或改选订单号 / 自定义模式。",
      s_validate: "校验(整个取值须匹配的正则表达式,可选)",
      s_prompt_zh: "提问(中文)", s_prompt_en: "提问(英文)",
      s_invalid_zh: "格式不对时的提示(中文)", s_invalid_en: "格式不对时的提示(英文)",
      add_slot: "添加槽位", slot_up: "上移", slot_down: "下移", remove_slot: "删除槽位",
      slots_max: "每个流程最多 {n} 个槽位。",
      labels: "取值显示文字(接口返回的代码对访客显示为)",
      labels_empty: "无:代码按内置的词显示(processing → 处理中 …)。",
      l_row: "取值显示文字 {n}", l_field: "返回字段", l_code: "代码",
      l_zh: "文字(中文)", l_en: "文字(英文)", add_label: "添加取值显示文字",
      label_incomplete: "取值显示文字 {n}:请填写返回字段和代码。",
      label_dup: "取值显示文字 {n}:{f} → {c} 重复了。",
      bad_json: "JSON 格式不对:{f}",
      texts: "流程中的提示(留空则使用灰色显示的内置文字)",
      x_cancelled_zh: "访客取消时(中文)", x_cancelled_en: "访客取消时(英文)",
      x_invalid_zh: "回答格式不对时,用于没有单独提示的槽位(中文)",
      x_invalid_en: "回答格式不对时,用于没有单独提示的槽位(英文)",
      x_too_many_zh: "连续三次回答不对、结束查询时(中文)",
      x_too_many_en: "连续三次回答不对、结束查询时(英文)",
      test_run: "测试", test_values: "接口返回(JSON)", preview: "预览模板",
      test_msgs: "访客消息(每行一条)", run: "调用接口试运行", no_reply: "(不属于该流程)"
    }
  };

  function langText(v, l) { return !v ? "" : typeof v === "string" ? v : (v[l] || ""); }
  function lines(s) { return s.split("\n").map(function (x) { return x.trim(); }).filter(Boolean); }
  function has(o, k) { return !!o && Object.prototype.hasOwnProperty.call(o, k); }
  function copy(v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); }
  // a changed text field: trimmed, or left out when empty
  function put(o, k, v) { if (v !== undefined && v !== null && v !== "") o[k] = v; }

  /* ParleyBotFlows.render(host, ctx): ctx = {api, toast, el, clear, lang: "zh"|"en",
   * site: site key, live(): false once the user has left the tab (a late load must not draw)} */
  function render(body, ctx) {
    var el = ctx.el, clear = ctx.clear, lang = ctx.lang === "zh" ? "zh" : "en";
    function t(key, vars) {
      var s = STR[lang][key] || STR.en[key] || key;
      if (vars) Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
      return s;
    }
    var q = "?site_key=" + encodeURIComponent(ctx.site);
    function errText(e) {
      var msg = e && e.message ? e.message : String(e), fld = e && e.details && e.details.field;
      return fld && msg.indexOf(fld) < 0 ? msg + " (" + fld + ")" : msg;
    }
    function errBox() { return el("p", {class: "error", role: "alert"}); }
    function field(label, input) { return el("label", {class: "bot-field"}, [el("span", {text: label}), input]); }
    function pair(a, b) { return el("div", {class: "bot-pair"}, [a, b]); }   // two columns (one on a phone)
    function text(value, max) { return el("input", {type: "text", value: value, maxlength: String(max || 1000)}); }

    /* a zh/en pair of inputs for a language text (a string for every language, or {lang: text});
     * read() gives back the loaded value when neither input changed, else {zh, en} (other
     * languages of a loaded object kept) or undefined when both are empty */
    function langPair(orig, make) {
      var zh = make(langText(orig, "zh")), en = make(langText(orig, "en"));
      var z0 = zh.value, e0 = en.value;
      return {zh: zh, en: en, read: function () {
        if (zh.value === z0 && en.value === e0) return copy(orig);
        var o = orig && typeof orig === "object" ? copy(orig) : {};
        delete o.zh; delete o.en;
        put(o, "zh", zh.value.trim()); put(o, "en", en.value.trim());
        return Object.keys(o).length ? o : undefined;
      }};
    }
    // an input whose loaded value is given back as it was unless it changed
    function kept(orig, key, node, parse) {
      var v0 = node.value;
      return function (out) {
        if (node.value === v0) { if (has(orig, key)) out[key] = copy(orig[key]); return; }
        put(out, key, parse ? parse(node.value) : node.value.trim());
      };
    }

    ctx.api("GET", "/admin/kb/flows" + q).then(function (r) {
      if (!ctx.live()) return;
      clear(body);
      var forms = [];
      var holder = el("div", {id: "bot-flows"});
      var err = errBox();
      (r.flows || []).forEach(function (f) { forms.push(flowForm(f)); });
      function draw() {
        clear(holder);
        if (!forms.length) holder.appendChild(el("p", {class: "muted", text: t("flows_empty")}));
        forms.forEach(function (fm) { holder.appendChild(fm.node); });
      }
      body.appendChild(holder);
      body.appendChild(err);
      body.appendChild(el("div", {class: "row"}, [
        el("button", {type: "button", id: "bot-new-flow", text: t("new_flow"), onclick: function () {
          var fm = flowForm({id: "", triggers: {}, slots: [], action: {url: "", method: "POST", timeout: 3}, answers: {}});
          forms.push(fm); draw(); fm.first.focus();
        }}),
        el("button", {type: "button", class: "primary", id: "bot-save-flows", text: t("save_flows"), onclick: function () {
          var out = [];
          err.textContent = "";
          forms.forEach(function (fm) { fm.clearErrors(); });
          for (var i = 0; i < forms.length; i++) {
            try { out.push(forms[i].read()); } catch (e) { forms[i].showError(e.message, e.path); return; }
          }
          ctx.api("PUT", "/admin/kb/flows" + q, {flows: out}).then(function () {
            ctx.toast(t("saved"));
          }).catch(function (e) {
            // "flows[2].slots[1].pattern": shown in that flow, at that slot
            var m = /^flows\[(\d+)\]\.?(.*)$/.exec((e.details && e.details.field) || "");
            if (m && forms[Number(m[1])]) forms[Number(m[1])].showError(errText(e), m[2]);
            else err.textContent = errText(e);
          });
        }})]));
      draw();

      function flowForm(f) {
        var trig = f.triggers || {}, a = f.action || {}, ans = f.answers || {};
        var inp = {
          id: el("input", {type: "text", value: f.id || "", maxlength: "64", class: "bot-flow-id"}),
          tzh: el("textarea", {rows: "2", value: (Array.isArray(trig) ? trig : trig.zh || []).join("\n")}),
          ten: el("textarea", {rows: "2", value: (Array.isArray(trig) ? [] : trig.en || []).join("\n")}),
          url: el("input", {type: "url", value: a.url || "", maxlength: "2000"}),
          method: el("select", {}, [el("option", {value: "POST", text: "POST"}), el("option", {value: "GET", text: "GET"})]),
          // no timeout loaded: empty (the bot's default, 5 s)
          timeout: el("input", {type: "number", min: "0.1", max: "10", step: "0.1", placeholder: "5",
            value: has(a, "timeout") ? a.timeout : ""})
        };
        inp.method.value = a.method || "POST";
        var ok = langPair(ans.success, function (v) { return el("textarea", {rows: "2", value: v}); });
        var fail = langPair(ans.failure, function (v) { return text(v); });
        var trig0 = [inp.tzh.value, inp.ten.value];
        var keepId = kept(f, "id", inp.id), keepUrl = kept(a, "url", inp.url);
        var keepTimeout = kept(a, "timeout", inp.timeout, function (v) { return v === "" ? undefined : parseFloat(v); });
        var slots = slotsEditor(f.slots || []);
        var labels = labelsEditor(f.labels);
        var texts = textsEditor(f.texts, r.default_texts || {});
        var flowErr = errBox();

        var sample = el("textarea", {rows: "2", class: "mono", "aria-label": t("test_values"), value: "{\"status\": \"processing\"}"});
        var out = el("output", {class: "bot-preview", "aria-live": "polite"});
        var msgs = el("textarea", {rows: "3", value: ((trig.zh || trig.en || [])[0] || "")});
        var ran = el("output", {class: "bot-preview bot-run", "aria-live": "polite"});
        var node = el("fieldset", {class: "card bot-flow"}, [
          el("legend", {text: f.id || t("new_flow")}),
          field(t("f_id"), inp.id), field(t("f_trig_zh"), inp.tzh), field(t("f_trig_en"), inp.ten),
          el("div", {class: "row"}, [field(t("f_url"), inp.url), field(t("f_method"), inp.method), field(t("f_timeout"), inp.timeout)]),
          field(t("f_ok_zh"), ok.zh), field(t("f_ok_en"), ok.en),
          field(t("f_fail_zh"), fail.zh), field(t("f_fail_en"), fail.en),
          slots.node, labels.node, texts.node, flowErr,
          el("details", {}, [el("summary", {text: t("test_run")}), field(t("test_values"), sample),
            el("button", {type: "button", text: t("preview"), onclick: function () {
              // fills the templates the way the bot does ({name} only; codes via labels)
              var vals, labs;
              try { vals = JSON.parse(sample.value || "{}"); } catch (e) { out.textContent = t("bad_json", {f: t("test_values")}); return; }
              try { labs = labels.read() || {}; } catch (e) { out.textContent = e.message; return; }
              out.textContent = ["zh", "en"].map(function (l) {
                var tmpl = l === "zh" ? ok.zh.value : ok.en.value;
                return l + ": " + tmpl.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (m, k) {
                  var v = vals[k], lab = labs[k] && labs[k][v];
                  return lab ? langText(lab, l) : v === undefined || v === null ? "" : String(v);
                });
              }).join("\n");
            }}), out,
            field(t("test_msgs"), msgs),
            el("button", {type: "button", text: t("run"), onclick: function () {
              // the server runs the (unsaved) flow against its real endpoint; nothing is stored
              var flow;
              form.clearErrors();
              try { flow = form.read(); } catch (e) { ran.textContent = e.message; form.showError(e.message, e.path); return; }
              ctx.api("POST", "/admin/kb/flows/test", {flow: flow, messages: lines(msgs.value)}).then(function (res) {
                ran.textContent = (res.replies || []).map(function (x, i) {
                  return "› " + lines(msgs.value)[i] + "\n  " + (x.text === null ? t("no_reply") : x.text + " [" + x.status + "]");
                }).join("\n");
              }).catch(function (e) {
                ran.textContent = errText(e);
                var m = /^flow\.(.*)$/.exec((e.details && e.details.field) || "");
                if (m) form.showError(errText(e), m[1]);
              });
            }}), ran]),
          el("button", {type: "button", text: t("remove"), onclick: function () {
            forms.splice(forms.indexOf(form), 1); draw();
          }})]);

        var marked = [];
        var form = {node: node, first: inp.id,
          read: function () {
            // the loaded flow's keys in their order; what was not edited as it was loaded
            var flow = {};
            keepId(flow);
            if (inp.tzh.value === trig0[0] && inp.ten.value === trig0[1]) flow.triggers = copy(f.triggers);
            else if (Array.isArray(trig) && !lines(inp.ten.value).length) flow.triggers = lines(inp.tzh.value);
            else {
              var tr = Array.isArray(trig) ? {} : copy(trig);
              delete tr.zh; delete tr.en;
              if (lines(inp.tzh.value).length) tr.zh = lines(inp.tzh.value);
              if (lines(inp.ten.value).length) tr.en = lines(inp.ten.value);
              flow.triggers = tr;
            }
            var s = slots.read();
            if (s.length || has(f, "slots")) flow.slots = s;
            var action = {};   // the API takes url, method and timeout only
            keepUrl(action);
            if (has(a, "method") || inp.method.value !== "POST") action.method = inp.method.value;
            keepTimeout(action);
            flow.action = action;
            var answers = {};   // success and failure only
            put(answers, "success", ok.read()); put(answers, "failure", fail.read());
            flow.answers = answers;
            Object.keys(f).forEach(function (k) {   // what the editor does not show
              if (EDITED.indexOf(k) < 0) flow[k] = copy(f[k]);
            });
            var labs = labels.read(), tx = texts.read();
            if (labs !== undefined) flow.labels = labs;
            if (tx !== undefined) flow.texts = tx;
            return flow;
          },
          clearErrors: function () {
            flowErr.textContent = "";
            marked.forEach(function (n) { n.removeAttribute("aria-invalid"); });
            marked = [];
            slots.clearErrors(); labels.clearErrors(); texts.clearErrors();
          },
          // an error the API (or read()) gave for a path in this flow: "slots[1].pattern", "action.url", ...
          showError: function (msg, path) {
            path = path || "";
            var target = slots.showError(msg, path) || labels.showError(msg, path) ||
              texts.showError(msg, path);
            if (target) return;
            flowErr.textContent = msg;
            var by = {id: inp.id, triggers: inp.tzh, "action.url": inp.url, "action.method": inp.method,
              "action.timeout": inp.timeout, "answers.success": ok.zh, "answers.failure": fail.zh, answers: ok.zh};
            var n = by[path];
            if (n) { n.setAttribute("aria-invalid", "true"); marked.push(n); n.focus(); }
          }};
        return form;
      }

      // ------------------------------------------------------------ slots: one card per slot
      function slotsEditor(list) {
        var items = [];
        var box = el("div", {class: "bot-slot-list"});
        var empty = el("p", {class: "muted", text: t("slots_empty")});
        var max = el("p", {class: "muted", text: t("slots_max", {n: MAX_SLOTS}), hidden: true});
        var add = el("button", {type: "button", class: "bot-add-slot", text: t("add_slot"), onclick: function () {
          var s = slotCard({name: "", kind: "text"});
          items.push(s); draw(); s.name.focus();
        }});
        var node = el("fieldset", {class: "bot-slots"}, [el("legend", {text: t("slots")}), empty, box, max, add]);
        list.forEach(function (s) { items.push(slotCard(s || {})); });
        function draw() {
          clear(box);
          items.forEach(function (s, i) { box.appendChild(s.node); s.number(i); });
          empty.hidden = items.length > 0;
          add.disabled = items.length >= MAX_SLOTS;
          max.hidden = items.length < MAX_SLOTS;
        }
        function move(s, d, button) {
          var i = items.indexOf(s), j = i + d;
          if (j < 0 || j >= items.length) return;
          items[i] = items[j]; items[j] = s;
          draw();
          (button.disabled ? (d < 0 ? s.down : s.up) : button).focus();   // keyboard: stay on the slot
        }
        draw();

        function slotCard(s) {
          var legend = el("legend");
          var name = el("input", {type: "text", value: s.name || "", maxlength: "40", required: true,
            autocomplete: "off", spellcheck: "false", class: "bot-slot-name"});
          var kind = el("select", {class: "bot-slot-kind"}, KINDS.map(function (k) {
            return el("option", {value: k, text: k + " · " + t("k_" + k)});
          }));
          kind.value = KINDS.indexOf(s.kind) >= 0 ? s.kind : "regex";   // no kind: the bot's default
          var kind0 = kind.value;
          var pattern = el("input", {type: "text", value: s.pattern || "", maxlength: "500", class: "mono bot-slot-pattern", spellcheck: "false"});
          var check = el("input", {type: "text", value: s.validate || "", maxlength: "500", class: "mono bot-slot-validate", spellcheck: "false"});
          var prompt = langPair(s.prompt, function (v) { return text(v); });
          var invalid = langPair(s.invalid, function (v) { return text(v); });
          var keepName = kept(s, "name", name), keepPattern = kept(s, "pattern", pattern), keepCheck = kept(s, "validate", check);
          seq += 1;
          var unused = el("p", {class: "muted small", id: "bot-slot-unused-" + seq, text: t("s_pattern_unused")});
          pattern.setAttribute("aria-describedby", unused.id);
          var patternField = el("div", {class: "bot-slot-pattern-field"}, [field(t("s_pattern"), pattern), unused]);
          var slotErr = errBox();
          var card = {name: name};
          card.up = el("button", {type: "button", text: t("slot_up"), onclick: function () { move(card, -1, card.up); }});
          card.down = el("button", {type: "button", text: t("slot_down"), onclick: function () { move(card, 1, card.down); }});
          var remove = el("button", {type: "button", text: t("remove_slot"), onclick: function () {
            var i = items.indexOf(card);
            items.splice(i, 1); draw();
            (items[Math.min(i, items.length - 1)] ? items[Math.min(i, items.length - 1)].name : add).focus();
          }});
          card.node = el("fieldset", {class: "bot-slot"}, [legend,
            pair(field(t("s_name"), name), field(t("s_kind"), kind)),
            pair(patternField, field(t("s_validate"), check)),
            pair(field(t("s_prompt_zh"), prompt.zh), field(t("s_prompt_en"), prompt.en)),
            pair(field(t("s_invalid_zh"), invalid.zh), field(t("s_invalid_en"), invalid.en)),
            slotErr, el("div", {class: "row bot-slot-actions"}, [card.up, card.down, remove])]);
          var pos = 0;
          function title() { legend.textContent = t("slot_n", {n: pos + 1}) + (name.value.trim() ? " · " + name.value.trim() : ""); }
          // the pattern is shown (and required) for order / regex; for another kind only while it holds a value
          function kindChanged() {
            var uses = PATTERN_KINDS.indexOf(kind.value) >= 0;
            patternField.hidden = !uses && !pattern.value.trim();
            unused.hidden = uses;
            pattern.required = uses;
            if (uses) pattern.setAttribute("aria-required", "true"); else pattern.removeAttribute("aria-required");
          }
          name.addEventListener("input", title);
          kind.addEventListener("change", kindChanged);
          pattern.addEventListener("change", kindChanged);
          kindChanged();
          card.number = function (i) {
            pos = i; title();
            card.up.disabled = i === 0;
            card.down.disabled = i === items.length - 1;
          };
          card.read = function () {
            var o = {};
            keepName(o);
            if (has(s, "kind") || kind.value !== kind0) o.kind = kind.value;
            keepPattern(o); keepCheck(o);
            put(o, "prompt", prompt.read()); put(o, "invalid", invalid.read());
            if (!has(o, "name")) o.name = "";   // the API says what is missing
            return o;
          };
          var marks = [];
          card.clearErrors = function () {
            slotErr.textContent = "";
            marks.forEach(function (n) { n.removeAttribute("aria-invalid"); });
            marks = [];
          };
          card.showError = function (msg, sub) {
            slotErr.textContent = msg;
            var n = {name: name, kind: kind, pattern: pattern, validate: check, prompt: prompt.zh, invalid: invalid.zh}[sub];
            if (n === pattern) patternField.hidden = false;
            if (n) { n.setAttribute("aria-invalid", "true"); marks.push(n); n.focus(); }
          };
          return card;
        }

        return {node: node,
          read: function () { return items.map(function (s) { return s.read(); }); },
          clearErrors: function () { items.forEach(function (s) { s.clearErrors(); }); },
          showError: function (msg, path) {
            var m = /^slots(?:\[(\d+)\](?:\.(\w+))?)?/.exec(path);
            if (!m || m[1] === undefined || !items[Number(m[1])]) return false;   // "slots" itself: the flow's
            items[Number(m[1])].showError(msg, m[2]);
            return true;
          }};
      }

      // ------------------------------------------------- readable values: field · code · zh / en
      function labelsEditor(orig) {
        var rows = [];
        var box = el("div", {class: "bot-label-list"});
        var empty = el("p", {class: "muted", text: t("labels_empty")});
        var labErr = errBox();
        var add = el("button", {type: "button", class: "bot-add-label", text: t("add_label"), onclick: function () {
          var r = row("", "", undefined);
          rows.push(r); draw(); r.field.focus();
        }});
        var node = el("fieldset", {class: "bot-labels"}, [el("legend", {text: t("labels")}), empty, box, labErr, add]);
        if (orig && typeof orig === "object") {
          Object.keys(orig).forEach(function (fld) {
            var codes = orig[fld];
            if (codes && typeof codes === "object") Object.keys(codes).forEach(function (c) { rows.push(row(fld, c, codes[c])); });
          });
        }
        function draw() {
          clear(box);
          rows.forEach(function (r, i) { box.appendChild(r.node); r.number(i); });
          empty.hidden = rows.length > 0;
        }
        draw();

        function row(fld, code, value) {
          var fi = el("input", {type: "text", value: fld, maxlength: "40", spellcheck: "false", class: "bot-label-field"});
          var ci = el("input", {type: "text", value: code, maxlength: "64", spellcheck: "false", class: "bot-label-code"});
          var pair = langPair(value, function (v) { return text(v); });
          var legend = el("legend");
          var r = {field: fi, code: ci, pair: pair};
          r.node = el("fieldset", {class: "bot-label-row"}, [legend,
            el("div", {class: "bot-label-grid"}, [field(t("l_field"), fi), field(t("l_code"), ci),
              field(t("l_zh"), pair.zh), field(t("l_en"), pair.en)]),
            el("button", {type: "button", text: t("remove"), onclick: function () {
              var i = rows.indexOf(r);
              rows.splice(i, 1); draw();
              (rows[Math.min(i, rows.length - 1)] ? rows[Math.min(i, rows.length - 1)].field : add).focus();
            }})]);
          r.number = function (i) { legend.textContent = t("l_row", {n: i + 1}); };
          return r;
        }

        return {node: node,
          // {field: {code: text}} in the rows' order; undefined when there are none
          read: function () {
            var out = {}, n = 0;
            rows.forEach(function (r, i) {
              var fld = r.field.value.trim(), code = r.code.value.trim(), val = r.pair.read();
              if (!fld && !code && val === undefined) return;   // an empty row: ignored
              if (!fld || !code) throw Object.assign(new Error(t("label_incomplete", {n: i + 1})), {path: "labels"});
              out[fld] = out[fld] || {};
              if (has(out[fld], code)) throw Object.assign(new Error(t("label_dup", {n: i + 1, f: fld, c: code})), {path: "labels"});
              out[fld][code] = val === undefined ? null : val;   // no text: the API names it
              n += 1;
            });
            if (n) return out;
            return orig && typeof orig === "object" && !Object.keys(orig).length ? {} : undefined;
          },
          clearErrors: function () { labErr.textContent = ""; },
          showError: function (msg, path) {
            if (!/^labels\b/.test(path)) return false;
            labErr.textContent = msg;
            return true;
          }};
      }

      // ------------------------------------- the flow's texts: cancelled · invalid · too many
      function textsEditor(orig, defaults) {
        var own = orig && typeof orig === "object" ? orig : {};
        var txErr = errBox(), pairs = {};
        var node = el("fieldset", {class: "bot-texts"}, [el("legend", {text: t("texts")})]);
        TEXT_KEYS.forEach(function (k) {
          var p = pairs[k] = langPair(own[k], function (v) { return text(v); });
          ["zh", "en"].forEach(function (l) {
            p[l].placeholder = langText(defaults[k], l);     // what the bot says when empty
            p[l].classList.add("bot-text-" + k.replace("_", "-"));
            p[l].setAttribute("data-lang", l);
          });
          node.appendChild(pair(field(t("x_" + k + "_zh"), p.zh), field(t("x_" + k + "_en"), p.en)));
        });
        node.appendChild(txErr);
        return {node: node,
          // the loaded texts with the shown keys as edited (an emptied one left out: the
          // built-in text); undefined when the flow had none and none was typed
          read: function () {
            var out = copy(own);
            TEXT_KEYS.forEach(function (k) {
              var v = pairs[k].read();
              if (v === undefined) delete out[k]; else out[k] = v;
            });
            if (Object.keys(out).length) return out;
            return orig && typeof orig === "object" && !Object.keys(orig).length ? {} : undefined;
          },
          clearErrors: function () {
            txErr.textContent = "";
            TEXT_KEYS.forEach(function (k) { pairs[k].zh.removeAttribute("aria-invalid"); });
          },
          showError: function (msg, path) {          // "texts.invalid": at that text
            var m = /^texts(?:\.(\w+))?/.exec(path);
            if (!m) return false;
            txErr.textContent = msg;
            var p = pairs[m[1]];
            if (p) { p.zh.setAttribute("aria-invalid", "true"); p.zh.focus(); }
            return true;
          }};
      }
    }).catch(function (e) {
      if (ctx.live()) clear(body).appendChild(el("p", {class: "error", role: "alert", text: errText(e)}));
    });
  }

  window.ParleyBotFlows = {render: render, strings: STR};
})();
