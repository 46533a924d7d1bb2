/* Parley console: the automatic-check rules editor, the "Rules" tab of the Quality page
 * (qa.js; admins). A site's rules (settings.qa_rules) or one team's (settings.qa_team_rules,
 * over the site's for that team's conversations) are edited as full values and saved as the
 * difference from what they override: the site's from the built-in defaults (qa_defaults),
 * a team's from the site's, so a later site change still reaches the fields a team left alone.
 * Validation errors come from the API's 400 (message and field path). Every server value is
 * set with textContent or .value, never as HTML. docs/qa.md. */
const P = window.ParleyConsole;
const X = P && P.ext;

const EN = {
  qa_rules: "Rules", qa_rules_load: "Load", qa_scope: "Applies to", qa_scope_site: "The whole site",
  qa_scope_team: "Team {t}", qa_scope_custom: "team has its own rules", qa_enabled: "On",
  qa_limit_seconds: "Limit (seconds)", qa_max: "Most allowed", qa_low_rating: "Low rating (at most)",
  qa_mask: "Mask in the transcript", qa_phrases: "Phrases (one per line, Chinese or English)",
  qa_use_site: "Use the site's rules", qa_rules_saved: "Rules saved", qa_rules_hint:
  "Changes apply to conversations closed from now on.",
  qa_ck_first_response: "First response", qa_ck_silence: "Agent silence while the visitor waits",
  qa_ck_greeting: "Greeting", qa_ck_closing: "Closing", qa_ck_forbidden: "Forbidden phrases",
  qa_ck_sensitive: "Sensitive data (cards, ID numbers, phones)", qa_ck_frustration: "Visitor frustration",
  qa_ck_transfers: "Transfers", qa_ck_unresolved: "Unresolved close"
};
const ZH = {
  qa_rules: "检查规则", qa_rules_load: "加载", qa_scope: "适用范围", qa_scope_site: "整个站点",
  qa_scope_team: "团队 {t}", qa_scope_custom: "该团队有自己的规则", qa_enabled: "启用",
  qa_limit_seconds: "上限(秒)", qa_max: "最多允许", qa_low_rating: "低评价(不高于)",
  qa_mask: "在会话记录中打码", qa_phrases: "短语(每行一个,中文或英文)",
  qa_use_site: "改用站点规则", qa_rules_saved: "规则已保存", qa_rules_hint: "修改对此后结束的会话生效。",
  qa_ck_first_response: "首次响应", qa_ck_silence: "访客等待时客服沉默", qa_ck_greeting: "问候语",
  qa_ck_closing: "结束语", qa_ck_forbidden: "禁用语", qa_ck_sensitive: "敏感信息(银行卡、身份证、电话)",
  qa_ck_frustration: "访客不满", qa_ck_transfers: "转接次数", qa_ck_unresolved: "未解决即结束"
};

const R = {site: "", scope: "", data: null, rerender: null};
const NUMBERS = ["weight", "limit_seconds", "max", "low_rating"];

function enc(x) { return encodeURIComponent(x); }
function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

/* defaults <- site rules [<- team rules], check by check, field by field */
function layer(base, over) {
  const out = {};
  Object.keys(base).forEach(function (k) { out[k] = Object.assign({}, base[k], (over || {})[k] || {}); });
  return out;
}
/* what `full` changes from `base`: {check: {field: value}} */
function diff(full, base) {
  const out = {};
  Object.keys(full).forEach(function (k) {
    Object.keys(full[k]).forEach(function (f) {
      if (!same(full[k][f], (base[k] || {})[f])) (out[k] = out[k] || {})[f] = full[k][f];
    });
  });
  return out;
}

function settings() { return (R.data && R.data.settings) || {}; }
function teamRules() { return settings().qa_team_rules || {}; }
function teams() {
  const s = settings(), seen = {};
  return [s.team].concat(s.teams || [], Object.keys(teamRules())).filter(function (t) {
    if (!t || seen[t]) return false;
    seen[t] = true;
    return true;
  });
}
function siteFull() { return layer(R.data.qa_defaults || {}, settings().qa_rules); }

function renderRules(body, rerender) {
  R.rerender = rerender;
  const site = X.el("input", {type: "text", class: "qa-rules-site", value: R.site, maxlength: "64", "aria-label": X.t("qa_site"),
    oninput: function () { R.site = site.value.trim(); }});     // kept if the page re-renders
  const err = X.errBox();
  body.appendChild(X.el("form", {class: "row qa-filters", onsubmit: function (e) {
    e.preventDefault();
    R.site = site.value.trim();
    if (!R.site) return;
    X.api("GET", "/admin/sites/" + enc(R.site)).then(function (r) {
      R.data = r.site; R.scope = ""; R.rerender();
    }).catch(function (e2) { X.showErr(err, e2); });
  }}, [X.field(X.t("qa_site"), site), X.el("button", {type: "submit", class: "small", text: X.t("qa_rules_load")})]));
  body.appendChild(err);
  if (!R.data || R.data.site_key !== R.site) return;   // not loaded, or another site typed
  const scope = X.el("select", {class: "qa-rules-scope", "aria-label": X.t("qa_scope"),
    onchange: function () { R.scope = scope.value; R.rerender(); }},
  [X.el("option", {value: "", text: X.t("qa_scope_site")})].concat(teams().map(function (t) {
    return X.el("option", {value: t, text: X.t("qa_scope_team", {t: t}) + (teamRules()[t] ? " (" + X.t("qa_scope_custom") + ")" : "")});
  })));
  scope.value = R.scope;
  body.appendChild(X.field(X.t("qa_scope"), scope));
  body.appendChild(editor());
}

function editor() {
  const base = R.scope ? siteFull() : (R.data.qa_defaults || {});
  const full = R.scope ? layer(base, teamRules()[R.scope]) : siteFull();
  const inputs = {};
  const err = X.errBox();
  const sets = Object.keys(full).map(function (check) {
    inputs[check] = {};
    const rows = Object.keys(full[check]).map(function (f) {
      const v = full[check][f];
      let input;
      if (f === "enabled" || f === "mask") {
        input = X.el("input", {type: "checkbox", class: "qa-rule-" + f, checked: !!v});
        inputs[check][f] = function () { return input.checked; };
      } else if (f === "phrases") {
        input = X.el("textarea", {class: "qa-rule-phrases", rows: "3", value: (v || []).join("\n")});
        inputs[check][f] = function () {
          return input.value.split("\n").map(function (x) { return x.trim(); }).filter(Boolean);
        };
      } else if (NUMBERS.indexOf(f) >= 0) {
        input = X.el("input", {type: "number", class: "qa-rule-" + f, value: String(v), step: "1"});
        inputs[check][f] = function () { return input.value.trim() === "" ? null : Number(input.value); };
      } else {
        return null;
      }
      input.setAttribute("aria-label", X.t("qa_ck_" + check) + ": " + X.t(f === "enabled" ? "qa_enabled" : "qa_" + f));
      return X.field(X.t(f === "enabled" ? "qa_enabled" : "qa_" + f), input);
    });
    return X.el("fieldset", {class: "qa-rule", "data-check": check},
      [X.el("legend", {text: X.t("qa_ck_" + check)})].concat(rows));
  });
  function collect() {
    const out = {};
    Object.keys(inputs).forEach(function (c) {
      out[c] = {};
      Object.keys(inputs[c]).forEach(function (f) { out[c][f] = inputs[c][f](); });
    });
    return out;
  }
  function save(payload) {
    return X.api("PUT", "/admin/sites/" + enc(R.site), payload).then(function (r) {
      R.data = r.site; X.toast(X.t("qa_rules_saved")); R.rerender();
    }).catch(function (e) { X.showErr(err, e); });
  }
  const buttons = [X.el("button", {type: "submit", class: "primary qa-rules-save", text: X.t("qa_save")})];
  if (R.scope && teamRules()[R.scope]) {
    buttons.push(X.el("button", {type: "button", class: "small qa-rules-use-site", text: X.t("qa_use_site"), onclick: function () {
      const left = Object.assign({}, teamRules());
      delete left[R.scope];
      save({qa_team_rules: left});
    }}));
  }
  return X.el("form", {class: "card inline-form qa-rules-form", onsubmit: function (e) {
    e.preventDefault();
    const changed = diff(collect(), base);
    if (!R.scope) return save({qa_rules: changed});
    const all = Object.assign({}, teamRules());
    all[R.scope] = changed;
    return save({qa_team_rules: all});
  }}, [X.el("p", {class: "muted", text: X.t("qa_rules_hint")})].concat(sets, [err, X.el("div", {class: "row"}, buttons)]));
}

if (X) X.addStrings(EN, ZH);

export { renderRules };
