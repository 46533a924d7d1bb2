/* Parley console: the Segments page (docs/contacts.md "Segments"). Build a filter over a
 * site's contacts (custom fields, tags, channel, last seen, rating, number of chats), see the
 * matches page by page, save the filter as a segment, open saved segments, export one as CSV
 * and tag every match (after a confirm showing how many). An ES module on
 * window.ParleyConsole.ext (console.js); server values are set with textContent only. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

const EN = {
  page_segments: "Segments", sg_site: "Site", sg_tag: "Has tag", sg_tags_all: "Also has all tags (comma separated)",
  sg_lead: "Lead", sg_any: "Any", sg_pool: "In the pool", sg_channel: "Channel", sg_ch_visitor: "Web chat",
  sg_ch_wechat: "WeChat", sg_ch_api: "API", sg_seen_after: "Last seen from", sg_seen_before: "Last seen before",
  sg_min_rating: "Rating at least", sg_max_rating: "Rating at most", sg_min_chats: "Chats at least",
  sg_max_chats: "Chats at most", sg_fields: "Custom fields", sg_fields_text: "Fields (key=value; key=value)",
  sg_search: "Show matches", sg_more: "More", sg_none: "No matching contacts.",
  sg_scanned: "{n} matches shown ({s} read)", sg_name: "Segment name", sg_save: "Save as segment",
  sg_saved: "Segment saved", sg_saved_list: "Saved segments", sg_no_saved: "No saved segments yet.",
  sg_open: "Open", sg_export: "Export CSV", sg_delete: "Delete", sg_confirm_delete: "Delete the segment “{name}”?",
  sg_bulk_tag: "Tag to add", sg_bulk: "Tag all matches", sg_counting: "Counting matches…",
  sg_confirm_bulk: "Add the tag “{tag}” to {n} contacts?", sg_tagged: "Tagged {n} contacts",
  sg_downloaded: "Downloaded {f}", sg_need_site: "Enter a site key.", sg_need_tag: "Enter a tag.",
  sg_need_name: "Enter a name.", sg_col_name: "Name", sg_col_ids: "E-mails / phones", sg_col_tags: "Tags",
  sg_col_chats: "Chats", sg_col_rating: "Last rating"
};
const ZH = {
  page_segments: "客户分群", sg_site: "站点", sg_tag: "含标签", sg_tags_all: "同时含以下全部标签(逗号分隔)",
  sg_lead: "线索", sg_any: "不限", sg_pool: "在线索池中", sg_channel: "渠道", sg_ch_visitor: "网页聊天",
  sg_ch_wechat: "微信", sg_ch_api: "API", sg_seen_after: "最近访问不早于", sg_seen_before: "最近访问早于",
  sg_min_rating: "评分不低于", sg_max_rating: "评分不高于", sg_min_chats: "会话数不少于",
  sg_max_chats: "会话数不多于", sg_fields: "自定义字段", sg_fields_text: "字段(键=值; 键=值)",
  sg_search: "查看匹配客户", sg_more: "更多", sg_none: "没有匹配的客户。",
  sg_scanned: "显示 {n} 个匹配(已读取 {s} 个)", sg_name: "分群名称", sg_save: "保存为分群",
  sg_saved: "分群已保存", sg_saved_list: "已保存的分群", sg_no_saved: "尚无已保存的分群。",
  sg_open: "打开", sg_export: "导出 CSV", sg_delete: "删除", sg_confirm_delete: "删除分群“{name}”?",
  sg_bulk_tag: "要添加的标签", sg_bulk: "给全部匹配客户打标签", sg_counting: "正在统计匹配数…",
  sg_confirm_bulk: "给 {n} 个客户添加标签“{tag}”?", sg_tagged: "已为 {n} 个客户打标签",
  sg_downloaded: "已下载 {f}", sg_need_site: "请输入站点标识。", sg_need_tag: "请输入标签。",
  sg_need_name: "请输入名称。", sg_col_name: "姓名", sg_col_ids: "邮箱 / 电话", sg_col_tags: "标签",
  sg_col_chats: "会话数", sg_col_rating: "最近评分"
};
const PAGE = 25;
const MAX_PAGES = 50;          // counting / tagging walks at most this many pages per click
const LEADS = ["pool", "new", "contacted", "qualified", "won", "lost"];
const state = {site: "", rows: [], next: null, filter: {}, defs: null};

function list(text) { return text.split(/[,,]/).map((x) => x.trim()).filter(Boolean); }
function dayMs(v) { return v ? new Date(v + "T00:00:00").getTime() : null; }
function msDay(ms) {
  if (ms === undefined || ms === null) return "";
  const d = new Date(ms), p = (n) => String(n).padStart(2, "0");
  return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
}
function pairs(text) {       // "key=value; key=value" -> [[key, value], ...]
  return text.split(";").filter((p) => p.indexOf("=") > 0).map((p) => [p.slice(0, p.indexOf("=")).trim(), p.slice(p.indexOf("=") + 1).trim()])
    .filter(([k, v]) => k && v);
}
/* export and bulk tag are for supervisors and admins (the API says 403 to others) */
function isSup() { const me = window.ParleyConsole.me() || {}; return me.role === "supervisor" || me.role === "admin"; }
function defLabel(d) { return (X.lang() === "zh" ? d.label_zh : d.label_en) || d.key; }
function optLabel(o) { return (X.lang() === "zh" ? o.label_zh : o.label_en) || o.value; }

/* The filter form: one control per condition; read() gives the API's filter object. */
function filterForm() {
  const {el, t, field} = X;
  const num = (id, min, max) => el("input", {type: "number", id, min: String(min), max: String(max), step: "1", inputmode: "numeric"});
  const choice = (id, values, text) => el("select", {id}, [el("option", {value: "", text: t("sg_any")})]
    .concat(values.map((v) => el("option", {value: v, text: text(v)}))));
  const c = {
    tag: el("input", {type: "text", id: "sg-tag", maxlength: "40"}),
    tags_all: el("input", {type: "text", id: "sg-tags-all", maxlength: "400"}),
    lead: choice("sg-lead", LEADS, (v) => v === "pool" ? t("sg_pool") : (X.t("ld_s_" + v) !== "ld_s_" + v ? X.t("ld_s_" + v) : v)),
    channel: choice("sg-channel", ["visitor", "wechat", "api"], (v) => t("sg_ch_" + v)),
    last_seen_after: el("input", {type: "date", id: "sg-seen-after"}),
    last_seen_before: el("input", {type: "date", id: "sg-seen-before"}),
    min_rating: choice("sg-min-rating", ["1", "2", "3", "4", "5"], (v) => "★" + v),
    max_rating: choice("sg-max-rating", ["1", "2", "3", "4", "5"], (v) => "★" + v),
    min_chats: num("sg-min-chats", 0, 100000), max_chats: num("sg-max-chats", 0, 100000)
  };
  const fieldsBox = el("fieldset", {id: "sg-fields", class: "row wrap"}, [el("legend", {text: t("sg_fields")})]);
  const fieldInputs = {};
  const fieldsText = el("input", {type: "text", id: "sg-fields-text", maxlength: "1000"});
  function drawFields(defs) {
    const keep = {};           // values typed while the definitions were loading stay
    Object.keys(fieldInputs).forEach((k) => { if (fieldInputs[k][1].value !== "") keep[k] = fieldInputs[k][1].value; });
    pairs(fieldsText.value).forEach(([k, v]) => { keep[k] = v; });
    fieldsText.value = defs ? "" : Object.keys(keep).map((k) => k + "=" + keep[k]).join("; ");
    while (fieldsBox.childNodes.length > 1) fieldsBox.removeChild(fieldsBox.lastChild);
    Object.keys(fieldInputs).forEach((k) => delete fieldInputs[k]);
    if (!defs) { fieldsBox.appendChild(field(t("sg_fields_text"), fieldsText)); return; }
    defs.forEach((d) => {
      const id = "sg-f-" + d.key;
      let input;
      if (d.type === "select" || d.type === "multi_select") {
        input = el("select", {id}, [el("option", {value: "", text: t("sg_any")})]
          .concat((d.options || []).map((o) => el("option", {value: o.value, text: optLabel(o)}))));
      } else {
        input = el("input", {id, type: d.type === "number" ? "number" : d.type === "date" ? "date" : "text", maxlength: "200"});
      }
      if (keep[d.key]) input.value = keep[d.key];
      fieldInputs[d.key] = [d, input];
      fieldsBox.appendChild(field(defLabel(d), input));
    });
  }
  function read() {
    const f = {};
    if (c.tag.value.trim()) f.tag = c.tag.value.trim();
    if (list(c.tags_all.value).length) f.tags_all = list(c.tags_all.value);
    ["lead", "channel"].forEach((k) => { if (c[k].value) f[k] = c[k].value; });
    if (c.last_seen_after.value) f.last_seen_after = dayMs(c.last_seen_after.value);
    if (c.last_seen_before.value) f.last_seen_before = dayMs(c.last_seen_before.value);
    ["min_rating", "max_rating", "min_chats", "max_chats"].forEach((k) => {
      if (c[k].value !== "") f[k] = Number(c[k].value);
    });
    const fields = {};
    Object.keys(fieldInputs).forEach((k) => {
      const [d, input] = fieldInputs[k];
      if (input.value === "") return;
      fields[k] = d.type === "number" ? Number(input.value) : input.value;
    });
    pairs(fieldsText.value).forEach(([k, v]) => { fields[k] = v; });
    if (Object.keys(fields).length) f.fields = fields;
    return f;
  }
  function set(f) {
    f = f || {};
    c.tag.value = f.tag || "";
    c.tags_all.value = (f.tags_all || []).join(", ");
    ["lead", "channel"].forEach((k) => { c[k].value = f[k] || ""; });
    c.last_seen_after.value = msDay(f.last_seen_after);
    c.last_seen_before.value = msDay(f.last_seen_before);
    ["min_rating", "max_rating", "min_chats", "max_chats"].forEach((k) => {
      c[k].value = f[k] === undefined || f[k] === null ? "" : String(f[k]);
    });
    const rest = [];
    Object.keys(fieldInputs).forEach((k) => { fieldInputs[k][1].value = ""; });
    Object.keys(f.fields || {}).forEach((k) => {
      const v = Array.isArray(f.fields[k]) ? f.fields[k][0] : f.fields[k];
      if (fieldInputs[k]) fieldInputs[k][1].value = String(v); else rest.push(k + "=" + v);
    });
    fieldsText.value = rest.join("; ");
  }
  const box = el("div", {}, [
    el("div", {class: "row wrap"}, [field(t("sg_tag"), c.tag), field(t("sg_tags_all"), c.tags_all),
      field(t("sg_lead"), c.lead), field(t("sg_channel"), c.channel)]),
    el("div", {class: "row wrap"}, [field(t("sg_seen_after"), c.last_seen_after), field(t("sg_seen_before"), c.last_seen_before),
      field(t("sg_min_rating"), c.min_rating), field(t("sg_max_rating"), c.max_rating),
      field(t("sg_min_chats"), c.min_chats), field(t("sg_max_chats"), c.max_chats)]),
    fieldsBox]);
  drawFields(null);
  return {box, read, set, drawFields};
}

function renderSegments() {
  const {el, clear, t, section, errBox, showErr, api, field} = X;
  const page = clear(document.getElementById("page-segments"));
  page.appendChild(section(t("page_segments")));
  const err = errBox();
  err.id = "sg-error";
  const site = el("input", {type: "text", id: "sg-site", maxlength: "64",
    value: state.site || localStorage.getItem("parley.contacts.site") || ""});
  const form = filterForm();
  const tbody = el("tbody", {id: "sg-rows"});
  const status = el("p", {class: "muted", id: "sg-status", "aria-live": "polite"});
  const more = el("button", {type: "button", id: "sg-more", text: t("sg_more"), hidden: true});
  const saved = el("ul", {class: "plain", id: "sg-saved"});
  const name = el("input", {type: "text", id: "sg-name", maxlength: "100"});
  const bulkTag = el("input", {type: "text", id: "sg-bulk-tag", maxlength: "40"});
  let scanned = 0;

  function siteKey() {
    const v = site.value.trim();
    if (!v) { err.textContent = t("sg_need_site"); site.focus(); return null; }
    if (v !== state.site) { state.site = v; localStorage.setItem("parley.contacts.site", v); loadSite(); }
    return v;
  }
  function show() {
    clear(tbody);
    state.rows.forEach((c) => tbody.appendChild(el("tr", {dataset: {contact: c.contact_id}}, [
      el("td", {text: c.name || c.contact_id}),
      el("td", {text: (c.emails || []).concat(c.phones || []).join(", ")}),
      el("td", {text: (c.tags || []).join(", ")}),
      el("td", {text: String((c.stats || {}).chats || 0)}),
      el("td", {text: (c.stats || {}).last_rating ? "★" + c.stats.last_rating : ""})])));
    status.textContent = state.rows.length ? t("sg_scanned", {n: state.rows.length, s: scanned}) : t("sg_none");
    more.hidden = !state.next;
  }
  function search(append) {
    err.textContent = "";
    const key = siteKey();
    if (!key) return Promise.resolve();
    if (!append) { state.filter = form.read(); state.next = null; scanned = 0; }
    return api("POST", "/agent/contacts/search", {site_key: key, filter: state.filter, limit: PAGE,
      next: append ? state.next : null}).then((r) => {
      state.rows = append ? state.rows.concat(r.contacts || []) : (r.contacts || []);
      state.next = r.next || null;
      scanned += r.scanned || 0;
      show();
    }).catch((e) => showErr(err, e));
  }
  function loadSaved() {
    if (!state.site) return;
    api("GET", "/agent/segments?site_key=" + encodeURIComponent(state.site)).then((r) => {
      clear(saved);
      (r.segments || []).forEach((s) => saved.appendChild(el("li", {class: "row wrap", dataset: {segment: s.segment_id}}, [
        el("strong", {class: "sg-saved-name", text: s.name}),
        el("button", {type: "button", class: "small sg-open", text: t("sg_open"), onclick: () => { form.set(s.filter); name.value = s.name; search(false); }}),
        isSup() ? el("button", {type: "button", class: "small sg-export", text: t("sg_export"), onclick: () => exportCsv(s)}) : null,
        el("button", {type: "button", class: "small danger sg-delete", text: t("sg_delete"), onclick: () => {
          if (!window.confirm(t("sg_confirm_delete", {name: s.name}))) return;
          api("DELETE", "/agent/segments/" + encodeURIComponent(s.segment_id) + "?site_key=" + encodeURIComponent(state.site))
            .then(loadSaved).catch((e) => showErr(err, e));
        }})])));
      if (!(r.segments || []).length) saved.appendChild(el("li", {class: "muted", text: t("sg_no_saved")}));
    }).catch((e) => showErr(err, e));
  }
  function loadSite() {
    loadSaved();
    state.defs = null;
    api("GET", "/agent/contact-fields?site_key=" + encodeURIComponent(state.site))
      .then((r) => { state.defs = r.fields || []; form.drawFields(state.defs.length ? state.defs : null); })
      .catch(() => form.drawFields(null));
  }
  function exportCsv(s) {
    err.textContent = "";
    api("GET", "/agent/segments/" + encodeURIComponent(s.segment_id) + "/export?site_key=" + encodeURIComponent(state.site),
      undefined, {raw: true}).then((resp) => resp.blob().then((blob) => {
      const file = "segment-" + state.site + "-" + s.segment_id + ".csv";
      const url = URL.createObjectURL(blob);
      const a = el("a", {href: url, download: file, hidden: true});
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
      status.textContent = t("sg_downloaded", {f: file});
    })).catch((e) => showErr(err, e));
  }
  /* count every match (bounded page walk), confirm with the count, then tag page by page */
  async function tagAll() {
    err.textContent = "";
    const key = siteKey(), tag = bulkTag.value.trim();
    if (!key) return;
    if (!tag) { err.textContent = t("sg_need_tag"); bulkTag.focus(); return; }
    const filter = form.read();
    try {
      status.textContent = t("sg_counting");
      let n = 0, next = null, pages = 0;
      do {
        const r = await api("POST", "/agent/contacts/search", {site_key: key, filter, limit: 100, next});
        n += (r.contacts || []).length;
        next = r.next || null;
      } while (next && ++pages < MAX_PAGES);
      status.textContent = "";
      if (!window.confirm(t("sg_confirm_bulk", {n: next ? n + "+" : n, tag}))) return;
      let tagged = 0;
      next = null; pages = 0;
      do {
        const r = await api("POST", "/agent/contacts/bulk-tag", {site_key: key, filter, tag, next});
        tagged += r.tagged || 0;
        next = r.next || null;
      } while (next && ++pages < MAX_PAGES);
      X.toast(t("sg_tagged", {n: tagged}));
      await search(false);
    } catch (e) { status.textContent = ""; showErr(err, e); }
  }

  more.addEventListener("click", () => search(true));
  site.addEventListener("change", () => { if (site.value.trim()) siteKey(); });
  page.appendChild(el("form", {class: "card inline-form", id: "sg-form", onsubmit: (ev) => { ev.preventDefault(); search(false); }}, [
    el("div", {class: "row wrap"}, [field(t("sg_site"), site)]), form.box, err,
    el("button", {type: "submit", class: "primary", id: "sg-search", text: t("sg_search")})]));
  page.appendChild(status);
  page.appendChild(el("div", {class: "scroll-x"}, [el("table", {class: "grid", id: "sg-table"}, [
    el("thead", {}, [el("tr", {}, ["sg_col_name", "sg_col_ids", "sg_col_tags", "sg_col_chats", "sg_col_rating"]
      .map((k) => el("th", {scope: "col", text: t(k)})))]), tbody])]));
  page.appendChild(more);
  page.appendChild(el("form", {class: "card row wrap", id: "sg-save-form", onsubmit: (ev) => {
    ev.preventDefault();
    err.textContent = "";
    const key = siteKey();
    if (!key) return;
    if (!name.value.trim()) { err.textContent = t("sg_need_name"); name.focus(); return; }
    api("POST", "/agent/segments", {site_key: key, name: name.value.trim(), filter: form.read()})
      .then(() => { X.toast(t("sg_saved")); loadSaved(); }).catch((e) => showErr(err, e));
  }}, [field(t("sg_name"), name), el("button", {type: "submit", id: "sg-save", text: t("sg_save")})]));
  if (isSup()) page.appendChild(el("form", {class: "card row wrap", id: "sg-bulk-form", onsubmit: (ev) => { ev.preventDefault(); tagAll(); }},
    [field(t("sg_bulk_tag"), bulkTag), el("button", {type: "submit", id: "sg-bulk", text: t("sg_bulk")})]));
  page.appendChild(el("section", {class: "card"}, [el("h3", {text: t("sg_saved_list")}), saved]));
  form.set(state.filter);
  if (site.value.trim()) { state.site = site.value.trim(); loadSite(); }
  if (state.rows.length) show();
}

if (X) {
  X.addStrings(EN, ZH);
  X.addPage("segments", renderSegments);
}
