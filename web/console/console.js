/* Parley agent console: plain JS, no framework, no build step.
 * Everything a user typed is rendered with textContent (the el() helper never sets innerHTML).
 * REST: {api}/agent/..., {api}/admin/...; live events: {ws}?token=...&role=agent. */
(function () {
  "use strict";

  // ------------------------------------------------------------------ i18n
  var STR = {
    en: {
      skip: "Skip to content", signin_title: "Parley agent console", email: "Email", password: "Password",
      keep_signed_in: "Keep me signed in on this computer", signin: "Sign in", signout: "Sign out",
      page_inbox: "Inbox", page_supervisor: "Supervisor", page_agents: "Agents", page_teams: "Teams",
      page_canned: "Canned responses", page_sites: "Sites", page_kb: "Knowledge base", page_reports: "Reports", page_bot: "Bot",
      enable_notifications: "Enable notifications", online: "Online", away: "Away", offline: "Offline",
      chats: "{n} / {m} chats", tab_mine: "Mine", tab_team: "Team", tab_queue: "Queue", tab_open: "Open", tab_offline: "Messages", tab_all: "All",
      tab_closed: "Closed", search_ph: "Visitor name or email", any_channel: "Any channel", any_team: "Any team",
      any_tag: "Any tag", pick_conversation: "Pick a conversation on the left.", accept: "Accept", join: "Join", leave: "Leave", their_chats: "Chats",
      transfer: "Transfer", reassign: "Reassign", close: "Close", reopen: "Reopen",
      load_earlier: "Load earlier messages", composer_ph: "Type a reply. Enter sends, Shift+Enter adds a line, /shortcut inserts a canned response.",
      closed_ph: "This conversation is closed. Reopen it to write.", remove_tag: "Remove tag {t}",
      handoff_misses: "Bot hands off after this many misses (default 2)",
      handoff_keywords: "Phrases that go straight to a person (comma-separated)",
      load_more: "Load more", channel: "Channel", line_n: "Line {n}: {m}", st_new: "new", st_open: "with the bot", st_queued: "waiting",
      st_assigned: "assigned", st_closed: "closed", st_offline: "left a message",
      read_only_ph: "You are reading this conversation. Accept or join it to reply.",
      private_note: "Private note", attach: "Attach", send: "Send", agents_load: "Agents and load",
      name: "Name", status: "Status", load: "Load", teams: "Teams", live_queue: "Live queue", visitor: "Visitor",
      team: "Team", waiting: "Waiting", shortcuts: "Keyboard shortcuts", k_enter: "Send the reply",
      k_shift_enter: "New line", k_ctrl_enter: "Send (also from a note)", k_next_unread: "Next conversation with unread messages",
      k_prev: "Previous conversation in the list", k_close: "Close the conversation", k_transfer: "Transfer the conversation",
      k_accept: "Accept the oldest waiting conversation", k_canned: "Insert a canned response",
      k_help: "This help (outside a text field)", k_esc: "Close a dialog", ok: "OK", to_agent: "To an agent",
      or_team: "or to a team", note_for_agent: "Note for the next agent", cancel: "Cancel",
      anonymous: "Visitor", no_conversations: "Nothing here.", waiting_for: "waiting {t}", position: "#{n} in line",
      connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", typing: "{who} is typing…",
      seen: "Seen", new_visitor: "New visitor", returning: "Returning ({n} visits)", page: "Current page",
      referrer: "Referrer", device: "Device", language: "Language", site: "Site", tags_label: "Tags",
      notes: "Notes", save: "Save", saved: "Saved", previous: "Previous conversations",
      lookup_more: "Matching visitors in every conversation", lookup_none: "No visitor by that name or email.", add_tag: "Add a tag",
      ev_joined: "{agent} joined", ev_left: "{agent} left", ev_transferred: "Transferred to {target}",
      ev_closed: "Conversation closed", ev_queued: "Waiting for an agent", ev_assigned: "Assigned to {agent}",
      ev_rated: "Visitor rated {score}/5", ev_reopened: "Reopened by {agent}", ev_offline: "Visitor left a message",
      ev_offline_offered_closed: "Outside business hours: the visitor was offered to leave a message",
      ev_offline_offered_no_agents: "Nobody online: the visitor was offered to leave a message",
      ev_offline_offered_timeout: "Waited too long: the visitor was offered to leave a message",
      ev_offline_offered_other: "The visitor was offered to leave a message",
      ev_handoff: "Handed to a human", ev_other: "Event: {kind}", note_badge: "Private note", bot: "Bot",
      you: "You", new_chat: "New conversation waiting", transferred_to_you: "A conversation was transferred to you", new_message: "New message", rating: "Rating",
      confirm_close: "Close this conversation?", session_expired: "Your session ended. Please sign in again.",
      bad_login: "Wrong email or password.", disabled: "This account is disabled.",
      locked_out: "Too many failed sign-ins. Try again in {min} min.", session_revoked: "You were signed out (elsewhere, or your password changed). Please sign in again.",
      revoke_sessions: "Sign out everywhere", sessions_revoked: "Every session of this agent was signed out.",
      create: "Create", delete: "Delete", role: "Role", capacity: "Capacity", disabled_label: "Disabled",
      new_password: "New password", create_agent: "Create an agent", create_team: "Create a team",
      team_id: "Id (slug)", manual_assign: "Manual assignment only", shortcut: "Shortcut", text: "Text",
      create_canned: "Add a canned response", site_settings: "Site settings", greeting_en: "Greeting (English)",
      greeting_zh: "Greeting (Chinese)", color: "Colour", position_label: "Position", left: "Left", right: "Right",
      locale: "Language", auto: "Auto", bot_enabled: "Bot answers first", default_team: "Team",
      max_wait: "Max wait (seconds)", idle_close: "Close after idle (minutes)", retention: "Keep chats (days, empty: forever)", business_hours: "Business hours",
      always_open: "Always open", timezone: "Time zone", hours_hint: "e.g. 09:00-12:00, 13:00-18:00; empty = closed",
      prechat: "Pre-chat fields", add_field: "Add a field", label: "Label", type: "Type", required: "Required",
      snippet: "Widget snippet", copy: "Copy", copied: "Copied", identity_secret: "Identity secret",
      create_site: "Create a site", site_key: "Site key", kb_search: "Search questions", question: "Question",
      similar: "Similar questions (one per line)", answer: "Answer", enabled: "Enabled", create_entry: "Add an entry",
      import_csv: "Import CSV", export_csv: "Export CSV", proposals: "Proposed entries (unanswered questions)",
      examples: "Examples", count: "Count", use: "Use", imported: "Imported {n} entries", edit: "Edit",
      confirm_delete: "Delete this?", error: "Error", choose_file: "CSV file",
      mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun", none: "—",
      from_site: "from {site}", unread: "{n} unread"
    },
    zh: {
      skip: "跳到内容", signin_title: "Parley 客服工作台", email: "邮箱", password: "密码",
      keep_signed_in: "在此电脑上保持登录", signin: "登录", signout: "退出",
      page_inbox: "会话", page_supervisor: "主管视图", page_agents: "客服", page_teams: "团队",
      page_canned: "快捷回复", page_sites: "站点", page_kb: "知识库", page_reports: "报表", page_bot: "机器人",
      enable_notifications: "开启桌面通知", online: "在线", away: "离开", offline: "离线",
      chats: "{n} / {m} 个会话", tab_mine: "我的", tab_team: "团队", tab_queue: "排队", tab_open: "机器人中", tab_offline: "留言", tab_all: "全部",
      tab_closed: "已结束", search_ph: "访客姓名或邮箱", any_channel: "全部渠道", any_team: "全部团队",
      any_tag: "全部标签", pick_conversation: "请在左侧选择一个会话。", accept: "接入", join: "加入", leave: "离开", their_chats: "会话",
      transfer: "转接", reassign: "重新分配", close: "结束", reopen: "重新打开",
      load_earlier: "加载更早的消息", composer_ph: "输入回复。回车发送,Shift+回车换行,/快捷词 插入快捷回复。",
      closed_ph: "此会话已结束。重新打开后才能回复。", remove_tag: "移除标签 {t}",
      handoff_misses: "机器人连续答不上几次后转人工(默认 2)",
      handoff_keywords: "直接转人工的关键词(逗号分隔)",
      load_more: "加载更多", channel: "渠道", line_n: "第 {n} 行:{m}", st_new: "新会话", st_open: "机器人接待中", st_queued: "排队中",
      st_assigned: "已接入", st_closed: "已结束", st_offline: "留言",
      read_only_ph: "你正在查看此会话。接入或加入后才能回复。",
      private_note: "内部备注", attach: "附件", send: "发送", agents_load: "客服与负载",
      name: "姓名", status: "状态", load: "负载", teams: "团队", live_queue: "实时队列", visitor: "访客",
      team: "团队", waiting: "等待", shortcuts: "键盘快捷键", k_enter: "发送回复",
      k_shift_enter: "换行", k_ctrl_enter: "发送(备注也可)", k_next_unread: "下一个有未读消息的会话",
      k_prev: "列表中的上一个会话", k_close: "结束会话", k_transfer: "转接会话",
      k_accept: "接入等待最久的会话", k_canned: "插入快捷回复",
      k_help: "显示本帮助(不在输入框中时)", k_esc: "关闭对话框", ok: "确定", to_agent: "转给客服",
      or_team: "或转给团队", note_for_agent: "给下一位客服的备注", cancel: "取消",
      anonymous: "访客", no_conversations: "暂无会话。", waiting_for: "已等待 {t}", position: "第 {n} 位",
      connecting: "连接中…", live: "已连接", reconnecting: "重新连接中…", typing: "{who} 正在输入…",
      seen: "已读", new_visitor: "新访客", returning: "回访客({n} 次访问)", page: "当前页面",
      referrer: "来源", device: "设备", language: "语言", site: "站点", tags_label: "标签",
      notes: "备注", save: "保存", saved: "已保存", previous: "历史会话",
      lookup_more: "全部会话中匹配的访客", lookup_none: "没有找到该姓名或邮箱的访客。", add_tag: "添加标签",
      ev_joined: "{agent} 加入了会话", ev_left: "{agent} 离开了会话", ev_transferred: "已转接给 {target}",
      ev_closed: "会话已结束", ev_queued: "正在等待客服", ev_assigned: "已分配给 {agent}",
      ev_rated: "访客评分 {score}/5", ev_reopened: "{agent} 重新打开了会话", ev_offline: "访客已留言",
      ev_offline_offered_closed: "非工作时间:已提示访客留言",
      ev_offline_offered_no_agents: "暂无客服在线:已提示访客留言",
      ev_offline_offered_timeout: "等待过久:已提示访客留言",
      ev_offline_offered_other: "已提示访客留言",
      ev_handoff: "已转人工", ev_other: "事件:{kind}", note_badge: "内部备注", bot: "机器人",
      you: "我", new_chat: "有新的会话在等待", transferred_to_you: "有会话转接给您", new_message: "新消息", rating: "评分",
      confirm_close: "确定结束此会话?", session_expired: "登录已过期,请重新登录。",
      bad_login: "邮箱或密码错误。", disabled: "该账号已停用。",
      locked_out: "登录失败次数过多,请 {min} 分钟后再试。", session_revoked: "您已被登出(在别处登出或密码已更改),请重新登录。",
      revoke_sessions: "全部登出", sessions_revoked: "该客服的所有会话均已登出。",
      create: "创建", delete: "删除", role: "角色", capacity: "容量", disabled_label: "停用",
      new_password: "新密码", create_agent: "创建客服", create_team: "创建团队",
      team_id: "标识(英文)", manual_assign: "仅手动分配", shortcut: "快捷词", text: "内容",
      create_canned: "添加快捷回复", site_settings: "站点设置", greeting_en: "欢迎语(英文)",
      greeting_zh: "欢迎语(中文)", color: "颜色", position_label: "位置", left: "左侧", right: "右侧",
      locale: "语言", auto: "自动", bot_enabled: "机器人先回答", default_team: "团队",
      max_wait: "最长等待(秒)", idle_close: "空闲自动结束(分钟)", retention: "聊天保留天数(留空:永久)", business_hours: "营业时间",
      always_open: "全天开放", timezone: "时区", hours_hint: "例如 09:00-12:00, 13:00-18:00;留空 = 休息",
      prechat: "咨询前表单字段", add_field: "添加字段", label: "显示名称", type: "类型", required: "必填",
      snippet: "嵌入代码", copy: "复制", copied: "已复制", identity_secret: "身份验证密钥",
      create_site: "创建站点", site_key: "站点标识", kb_search: "搜索问题", question: "问题",
      similar: "相似问法(每行一个)", answer: "答案", enabled: "启用", create_entry: "添加条目",
      import_csv: "导入 CSV", export_csv: "导出 CSV", proposals: "建议条目(未回答的问题)",
      examples: "示例", count: "次数", use: "采用", imported: "已导入 {n} 条", edit: "编辑",
      confirm_delete: "确定删除?", error: "错误", choose_file: "CSV 文件",
      mon: "周一", tue: "周二", wed: "周三", thu: "周四", fri: "周五", sat: "周六", sun: "周日", none: "—",
      from_site: "来自 {site}", unread: "{n} 条未读"
    }
  };
  var lang = localStorage.getItem("parley.console.lang") ||
    ((navigator.language || "en").toLowerCase().indexOf("zh") === 0 ? "zh" : "en");

  function statusLabel(status) {
    return status ? t("st_" + status) : "";
  }

  function t(key, vars) {
    var s = (STR[lang] && STR[lang][key]) || STR.en[key] || key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }

  function applyI18n() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-i18n-ph]").forEach(function (n) { n.placeholder = t(n.getAttribute("data-i18n-ph")); });
    document.querySelectorAll(".lang-toggle").forEach(function (b) { b.textContent = lang === "zh" ? "English" : "中文"; });
  }

  // ------------------------------------------------------------------ DOM helpers
  function $(id) { return document.getElementById(id); }

  /* el("div", {class: "x", onclick: fn, "aria-label": "y"}, [child, "text"]) — text via textContent only */
  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k.indexOf("on") === 0 && typeof v === "function") n.addEventListener(k.slice(2), v);
      else if (k === "text") n.textContent = v;
      else if (k === "value") n.value = v;
      else if (k === "checked") n.checked = !!v;
      else if (k === "dataset") Object.keys(v).forEach(function (d) { n.dataset[d] = v[d]; });
      else n.setAttribute(k, v === true ? "" : String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      n.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return n;
  }

  function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); return n; }

  function toast(msg, kind) {
    var n = el("div", {class: "toast " + (kind || ""), text: msg});
    $("toasts").appendChild(n);
    setTimeout(function () { n.remove(); }, 5000);
  }

  function fmtDuration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m " + (s % 60) + "s";
    return Math.floor(m / 60) + "h " + (m % 60) + "m";
  }

  function fmtTime(ms) {
    if (!ms) return "";
    var d = new Date(ms);
    var same = new Date().toDateString() === d.toDateString();
    return same ? d.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}) : d.toLocaleString();
  }

  function uid() {
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  // ------------------------------------------------------------------ state
  var cfg = {api: "/v1", ws: (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws"};
  var S = {
    lookup: null,            // the last server-side visitor lookup {q, results}
    nextBefore: {},          // tab -> cursor of the next page (closed, offline, open, all)
    paged: {},               // tab -> true once "Load more" was used
    auth: null,              // {token, expires_at, agent}
    me: null,                // agent view
    tab: "mine",
    page: "inbox",
    lists: {mine: [], team: [], queue: [], open: [], offline: [], all: [], closed: []},
    listLoaded: {},          // tab -> loaded once (then kept current by pushed deltas)
    syncedAt: 0,             // newest updated_at (server ms) held: where a re-sync starts
    convs: {},               // cid -> conversation view (merged)
    msgs: {},                // cid -> {seq: message}
    firstSeq: {},            // cid -> lowest loaded seq
    synced: {},              // cid -> catch-up marker: every seq up to it is held (sync starts there)
    syncReq: {}, syncN: 0,   // socket sync request id -> {cid, after}
    gapTimers: {},
    hasMore: {},
    loaded: {},              // cid -> the latest page was fetched
    details: {},             // cid -> {visitor, previous_conversations}
    current: null,
    canned: [],
    agents: [],              // supervisor view
    ws: null, wsState: "offline", wsAttempts: 0, wsTimer: null, pingTimer: null, lifeTimer: null,
    typingTimers: {}, lastTypingSent: 0,
    knownQueue: null,        // set of cids seen in the queue (to notify new ones)
    refreshTimer: null, tokenTimer: null,
    audio: null
  };

  // ------------------------------------------------------------------ auth storage
  var AUTH_KEY = "parley.console.auth";

  function loadAuth() {
    var raw = sessionStorage.getItem(AUTH_KEY) || localStorage.getItem(AUTH_KEY);
    if (!raw) return null;
    try {
      var a = JSON.parse(raw);
      if (expiresMs(a) <= Date.now()) { clearAuth(); return null; }
      return a;
    } catch (e) { return null; }
  }

  function saveAuth(a, keep) {
    S.auth = a;
    var store = keep ? localStorage : sessionStorage;
    (keep ? sessionStorage : localStorage).removeItem(AUTH_KEY);
    a.keep = !!keep;
    store.setItem(AUTH_KEY, JSON.stringify(a));
  }

  function clearAuth() {
    sessionStorage.removeItem(AUTH_KEY);
    localStorage.removeItem(AUTH_KEY);
    S.auth = null;
  }

  function expiresMs(a) {
    var e = Number(a && a.expires_at) || 0;
    return e < 1e12 ? e * 1000 : e;
  }

  // ------------------------------------------------------------------ REST
  function ApiError(status, body) {
    var err = (body && body.error) || {};
    this.status = status;
    this.code = err.code || ("http_" + status);
    this.message = err.message || ("HTTP " + status);
    this.details = err.details || {};
  }

  function api(method, path, body, opts) {
    opts = opts || {};
    var headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (S.auth && !opts.noAuth) headers.Authorization = "Bearer " + S.auth.token;
    return fetch(cfg.api + path, {method: method, headers: headers,
      body: body !== undefined ? JSON.stringify(body) : undefined}).then(function (resp) {
      if (opts.raw) {
        if (!resp.ok) return resp.json().catch(function () { return {}; }).then(function (b) { throw new ApiError(resp.status, b); });
        return resp;
      }
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var err = new ApiError(resp.status, data);
          if (resp.status === 401 && !opts.noAuth) sessionEnded(err);
          throw err;
        }
        return data;
      });
    });
  }

  function report(err) {
    if (err && err.status === 401) return;
    toast((err && err.message) || String(err), "bad");
  }

  function sessionEnded(err) {
    if (!S.auth) return;
    clearAuth();
    stopLive();
    showLogin(err && err.code === "account_disabled" ? t("disabled") :
      (err && err.code === "session_revoked" ? t("session_revoked") : t("session_expired")));
  }

  function scheduleRefresh() {
    clearTimeout(S.tokenTimer);
    if (!S.auth) return;
    var left = expiresMs(S.auth) - Date.now();
    var wait = Math.max(5000, Math.min(left - 5 * 60 * 1000, left / 2));
    S.tokenTimer = setTimeout(function () {
      api("POST", "/agent/token", {}).then(function (r) {
        saveAuth({token: r.token, expires_at: r.expires_at, agent: r.agent}, S.auth && S.auth.keep);
        S.me = Object.assign(S.me || {}, r.agent);
        scheduleRefresh();
      }).catch(function (e) { if (e.status !== 401) setTimeout(scheduleRefresh, 30000); });
    }, wait);
  }

  // ------------------------------------------------------------------ sign-in
  function showLogin(message) {
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    document.title = "Parley console";
    setTimeout(function () { $("login-email").focus(); }, 0);
  }

  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    $("login-error").textContent = "";
    api("POST", "/agent/login", {email: $("login-email").value.trim(), password: $("login-password").value},
      {noAuth: true}).then(function (r) {
      saveAuth({token: r.token, expires_at: r.expires_at, agent: r.agent}, $("login-keep").checked);
      $("login-password").value = "";
      start();
    }).catch(function (e) {
      $("login-error").textContent = e.code === "account_disabled" ? t("disabled") :
        e.code === "too_many_attempts" ? t("locked_out", {min: Math.max(1, Math.ceil((e.details.retry_after || 60) / 60))}) :
        (e.status === 401 ? t("bad_login") : e.message);
    });
  });

  function signedOut() {
    clearAuth();
    stopLive();
    S.current = null; S.convs = {}; S.msgs = {};
    showLogin("");
  }

  $("signout").addEventListener("click", function () {
    if (S.auth) api("POST", "/agent/logout", {}).catch(function () {});  // ends this session server-side
    signedOut();
    if (tabs) tabs.postMessage({type: "signout"});   // every tab of this console signs out
  });

  /* Several tabs: a new tab borrows the session of a tab already signed in (same origin only),
     so "keep me signed in" is not needed to open a second tab; signing out ends them all. */
  var tabs = ("BroadcastChannel" in window) ? new BroadcastChannel("parley.console") : null;
  if (tabs) tabs.onmessage = function (e) {
    var d = e.data || {};
    if (d.type === "who" && S.auth && S.me) tabs.postMessage({type: "auth", auth: S.auth});
    else if (d.type === "auth" && !S.auth && d.auth && d.auth.token && expiresMs(d.auth) > Date.now()) {
      saveAuth(d.auth, d.auth.keep);
      if (S.booted) start(); else boot();
    } else if (d.type === "signout" && S.auth) signedOut();
  };

  function boot() {
    if (S.booted) return;
    S.booted = true;
    start();
  }

  // ------------------------------------------------------------------ start
  function isSupervisor() { return S.me && (S.me.role === "supervisor" || S.me.role === "admin"); }
  function isAdmin() { return S.me && S.me.role === "admin"; }

  function start() {
    S.auth = S.auth || loadAuth();
    if (!S.auth) return showLogin("");
    S.me = S.auth.agent;
    $("login").hidden = true;
    $("app").hidden = false;
    api("GET", "/agent/me").then(function (me) {
      S.me = me;
      renderMe();
      applyRoles();
      scheduleRefresh();
      connectWs();
      refreshAll();
      loadCanned();
      if (isSupervisor()) loadAgents();
      showPage(S.page);
    }).catch(report);
  }

  function applyRoles() {
    document.querySelectorAll("[data-role]").forEach(function (n) {
      var need = n.getAttribute("data-role");
      n.hidden = need === "admin" ? !isAdmin() : !isSupervisor();
    });
  }

  function renderMe() {
    if (!S.me) return;
    $("me-name").textContent = S.me.name || S.me.email;
    var st = S.me.status || "offline";
    var b = $("presence");
    b.textContent = t(st === "online" ? "online" : (st === "away" ? "away" : "offline"));
    b.className = "presence " + st;
    b.setAttribute("aria-pressed", st === "online" ? "true" : "false");
    b.setAttribute("aria-label", t("status") + ": " + b.textContent);
    $("load").textContent = t("chats", {n: S.me.active_count || 0, m: S.me.capacity || 0});
  }

  $("presence").addEventListener("click", function () {
    var next = S.me && S.me.status === "online" ? "away" : "online";
    api("PUT", "/agent/status", {status: next}).then(function (r) {
      S.me = Object.assign(S.me, (r && r.agent) || r || {}, {status: next});
      renderMe();
    }).catch(report);
  });

  // ------------------------------------------------------------------ pages
  document.querySelectorAll("#pages [data-page]").forEach(function (b) {
    b.addEventListener("click", function () { showPage(b.getAttribute("data-page")); });
  });

  function showPage(page) {
    S.page = page;
    document.querySelectorAll("main > .page").forEach(function (p) { p.hidden = p.getAttribute("data-page") !== page; });
    document.querySelectorAll("#pages [data-page]").forEach(function (b) {
      if (b.getAttribute("data-page") === page) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
    });
    if (page === "supervisor") { loadAgents(); loadList("queue"); }
    if (ADMIN_PAGES[page]) ADMIN_PAGES[page]();
  }

  // ------------------------------------------------------------------ inbox lists
  var LIST_PATH = {
    mine: "/agent/conversations?status=mine", team: "/agent/conversations?status=team",
    queue: "/agent/queue", open: "/agent/conversations?status=open",
    offline: "/agent/conversations?status=offline",
    all: "/agent/conversations?status=assigned", closed: "/agent/conversations?status=closed"
  };

  function loadList(tab) {
    if (tab === "all" && !isSupervisor()) return Promise.resolve();
    return api("GET", LIST_PATH[tab]).then(function (r) {
      var list = (r && r.conversations) || [];
      list.forEach(mergeConv);
      var ids = list.map(function (c) { return c.conversation_id; });
      if (S.paged[tab]) {
        // pages loaded further down stay; a refresh only renews the first page
        var fresh = {};
        ids.forEach(function (id) { fresh[id] = 1; });
        S.lists[tab] = ids.concat((S.lists[tab] || []).filter(function (id) {
          return !fresh[id] && S.convs[id] && S.convs[id].status === (LIST_STATUS[tab] || S.convs[id].status);
        }));
      } else {
        S.lists[tab] = ids;
        S.nextBefore[tab] = r && r.next_before;
      }
      S.listLoaded[tab] = true;
      if (tab === "queue") noticeQueue(list);
      if (tab === "mine") list.forEach(function (c) { noticeMine(S.convs[c.conversation_id], S.mineLoaded); });
      if (tab === "mine") S.mineLoaded = true;
      renderCounts();
      if (tab === S.tab) renderList();
      if ((tab === "queue" || tab === "all") && S.page === "supervisor") renderSupervisor();
      updateTitle();
    }).catch(report);
  }

  function loadMore(tab) {
    var before = S.nextBefore[tab];
    if (!before) return;
    api("GET", LIST_PATH[tab] + "&before=" + before).then(function (r) {
      var list = (r && r.conversations) || [];
      list.forEach(mergeConv);
      var have = {};
      S.lists[tab].forEach(function (id) { have[id] = 1; });
      list.forEach(function (c) { if (!have[c.conversation_id]) S.lists[tab].push(c.conversation_id); });
      S.nextBefore[tab] = r && r.next_before;
      S.paged[tab] = true;
      if (tab === S.tab) renderList();
    }).catch(report);
  }
  var LIST_STATUS = {closed: "closed", offline: "offline", open: "open", all: "assigned"};

  function refreshAll() {
    S.listsAt = Date.now();
    ["mine", "team", "queue", "open", "offline"].concat(isSupervisor() ? ["all"] : []).forEach(loadList);
    if (S.tab === "closed") loadList("closed");
  }

  // ------------------------------------------------------------------ pushed deltas
  /* A state change arrives as {"type": "conversation", "conversation": <view with rev>} (the
     server's notifier sends it to the agents who may see that conversation): merge it into the
     lists held here, moving it between tabs by status, instead of re-reading any list. */
  var LIST_TABS = ["mine", "team", "queue", "open", "offline", "all", "closed"];

  function tabsOf(c) {    // which lists hold it, as the server builds them
    var me = S.me || {}, teams = me.teams || [], out = {};
    if (c.status === "assigned" && c.agent_id && c.agent_id === me.agent_id) out.mine = 1;
    if (c.status === "assigned" && c.team && teams.indexOf(c.team) >= 0) out.team = 1;
    if (c.status === "queued" && (isSupervisor() || !c.team || teams.indexOf(c.team) >= 0)) out.queue = 1;
    if (c.status === "open") out.open = 1;
    if (c.status === "offline") out.offline = 1;
    if (c.status === "assigned" && isSupervisor()) out.all = 1;
    if (c.status === "closed") out.closed = 1;
    return out;
  }

  function sortList(tab) {
    var at = function (id) { var c = S.convs[id] || {}; return c.updated_at || 0; };
    if (tab !== "queue") { S.lists[tab].sort(function (a, b) { return at(b) - at(a); }); return; }
    var queuedAt = function (id) { var c = S.convs[id] || {}; return (c.attrs && c.attrs.queued_at) || c.updated_at || 0; };
    S.lists.queue.sort(function (a, b) { return queuedAt(a) - queuedAt(b); });
    var n = {};         // places in line, per queue
    S.lists.queue.forEach(function (id) {
      var c = S.convs[id];
      if (!c) return;
      var k = c.team || "_default";
      n[k] = (n[k] || 0) + 1;
      c.queue_position = n[k];
    });
  }

  /* Merge one conversation state; returns it, or null when it is older than the one held (the
     same rev again changes nothing but is applied: the lists it belongs to are recomputed). */
  function applyDelta(c) {
    if (!c || !c.conversation_id) return null;
    var cid = c.conversation_id, old = S.convs[cid];
    if (old && old.rev != null && c.rev != null && c.rev < old.rev) return null;
    var wasQueued = S.lists.queue.indexOf(cid) >= 0;
    var conv = mergeConv(c);
    var want = tabsOf(conv);
    LIST_TABS.forEach(function (tab) {
      var list = S.lists[tab] || (S.lists[tab] = []);
      var i = list.indexOf(cid);
      if (!want[tab] && i >= 0) list.splice(i, 1);
      else if (want[tab]) { if (i < 0) list.unshift(cid); sortList(tab); }
    });
    if (want.queue && !wasQueued && S.knownQueue && !S.knownQueue[cid]) {
      S.knownQueue[cid] = 1;
      S.queueNotified = S.queueNotified || {};
      if (!S.queueNotified[cid] && S.me && S.me.status === "online") { S.queueNotified[cid] = 1; notify(t("new_chat"), visitorLabel(conv)); }
    }
    return conv;
  }

  function renderLists() {
    renderCounts(); renderList(); updateTitle();
    if (S.page === "supervisor") renderSupervisor();
  }

  /* A message for a conversation not held here (it reached us before its state): read that one. */
  function fetchConversation(cid) {
    S.fetching = S.fetching || {};
    if (S.fetching[cid]) return;
    S.fetching[cid] = true;
    api("GET", "/agent/conversations/" + encodeURIComponent(cid)).then(function (r) {
      applyDelta(r && r.conversation);
      renderLists();
    }).catch(function () { /* a later delta brings it */ }).then(function () { delete S.fetching[cid]; });
  }

  /* After a (re)connect: one "what changed since" call instead of re-reading six lists. It starts
     a little before the newest state held (writers' clocks differ by a little; deltas carry rev,
     so seeing one twice is harmless); a status with more than a page asks again, a few times. */
  function resync() {
    if (!S.listsAt) return;
    var since = S.syncedAt ? S.syncedAt - 5000 : S.listsAt - 60000;
    var pages = 0;
    var page = function (from) {
      return api("GET", "/agent/changes?since=" + Math.max(0, Math.floor(from))).then(function (r) {
        (r.conversations || []).forEach(applyDelta);
        if (r.next_since > S.syncedAt) S.syncedAt = r.next_since;
        if (r.has_more && ++pages < 5) return page(r.next_since);
        if (r.has_more) refreshAll();      // far behind: the lists are cheaper
      });
    };
    page(since).then(renderLists).catch(report);
  }

  // While the socket is up every change arrives as a pushed delta (applyDelta) and a reconnect
  // re-syncs with one call (resync); only a socket down for more than 20 s (blocked, or the
  // server unreachable) has the lists refresh themselves every 20 s.
  setInterval(function () {
    if (S.auth && S.me && S.wsState !== "online" && S.wsDownSince && Date.now() - S.wsDownSince > 20000 &&
        document.visibilityState === "visible") refreshAll();
  }, 20000);

  function mergeConv(c) {
    if (!c || !c.conversation_id) return null;
    var old = S.convs[c.conversation_id] || {};
    if (old.rev != null && c.rev != null && c.rev < old.rev) return old;   // an older state
    if (c.updated_at && c.updated_at > S.syncedAt) S.syncedAt = c.updated_at;
    var merged = Object.assign({}, old, c);
    if (old.last_seq && old.last_seq > (c.last_seq || 0)) merged.last_seq = old.last_seq;
    if (old.reads && c.reads) {
      merged.reads = Object.assign({}, old.reads);
      Object.keys(c.reads).forEach(function (k) { merged.reads[k] = Math.max(merged.reads[k] || 0, c.reads[k]); });
    }
    S.convs[c.conversation_id] = merged;
    return merged;
  }

  function unread(c) {
    if (!c || !S.me) return 0;
    var read = (c.reads || {})[S.me.agent_id] || 0;
    return Math.max(0, (c.last_seq || 0) - read);
  }

  function visitorLabel(c) {
    var d = S.details[c.conversation_id];
    var v = (d && d.visitor) || c.visitor || {};
    return v.name || v.email || c.visitor_name || (c.attrs && c.attrs.visitor_name) || (t("anonymous") + " " + String(c.visitor_id || "").slice(-4));
  }

  function matchesFilters(c) {
    var q = $("f-search").value.trim().toLowerCase();
    if (q) {
      var d = S.details[c.conversation_id];
      var v = (d && d.visitor) || {};
      var hay = [visitorLabel(c), v.email, v.name, c.visitor_id, c.conversation_id].join(" ").toLowerCase();
      if (hay.indexOf(q) < 0) return false;
    }
    var ch = $("f-channel").value, team = $("f-team").value, tag = $("f-tag").value;
    if (ch && (c.channel || "web") !== ch) return false;
    if (team && (c.team || c.queue_key || "") !== team) return false;
    if (tag && (c.tags || []).indexOf(tag) < 0) return false;
    return true;
  }

  function fillFilter(select, values) {
    var cur = select.value;
    while (select.options.length > 1) select.remove(1);
    values.sort().forEach(function (v) { select.appendChild(el("option", {value: v, text: v})); });
    select.value = values.indexOf(cur) >= 0 ? cur : "";
  }

  /* One conversation row of the inbox list: a keyboard-operable option that opens it. */
  function convItem(cid, cls, children) {
    var current = cid === S.current;
    return el("li", {role: "option", tabindex: "0", "aria-selected": current ? "true" : "false",
      class: "conv" + (current ? " active" : "") + (cls ? " " + cls : ""), dataset: {cid: cid},
      onclick: function () { openConversation(cid); },
      onkeydown: function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openConversation(cid); } }
    }, children);
  }

  function renderList() {
    var ids = S.lists[S.tab] || [];
    var all = ids.map(function (id) { return S.convs[id]; }).filter(Boolean);
    var channels = {}, teams = {}, tags = {};
    all.forEach(function (c) {
      channels[c.channel || "web"] = 1;
      if (c.team || c.queue_key) teams[c.team || c.queue_key] = 1;
      (c.tags || []).forEach(function (x) { tags[x] = 1; });
    });
    fillFilter($("f-channel"), Object.keys(channels));
    fillFilter($("f-team"), Object.keys(teams));
    fillFilter($("f-tag"), Object.keys(tags));
    var list = clear($("conv-list"));
    var shown = all.filter(matchesFilters);
    shown.forEach(function (c) {
      var n = S.tab === "queue" ? 0 : unread(c);   // queued chats are not ours to read yet
      var meta = [];
      if (S.tab === "queue") {
        var since = (c.attrs && c.attrs.queued_at) || (c.waiting_ms ? Date.now() - c.waiting_ms : c.updated_at);
        meta.push(el("span", {class: "pos", text: t("position", {n: c.queue_position || "?"})}));
        meta.push(el("span", {class: "wait", "data-since": since, text: t("waiting_for", {t: fmtDuration(Date.now() - since)})}));
      } else {
        meta.push(el("span", {class: "time", text: fmtTime(c.last_message_at || c.updated_at)}));
      }
      if (c.team || c.queue_key) meta.push(el("span", {class: "chip", text: c.team || c.queue_key}));
      (c.tags || []).slice(0, 3).forEach(function (x) { meta.push(el("span", {class: "chip tag", text: x})); });
      var li = convItem(c.conversation_id, n ? "has-unread" : "", [
        el("div", {class: "row spread"}, [
          el("strong", {class: "who", text: visitorLabel(c)}),
          n ? el("span", {class: "unread", "aria-label": t("unread", {n: n}), text: String(n)}) : null
        ]),
        el("div", {class: "meta"}, meta),
        S.tab === "queue" ? el("button", {type: "button", class: "small primary accept-btn", text: t("accept"),
          onclick: function (e) { e.stopPropagation(); accept(c.conversation_id); }}) : null
      ]);
      runHooks("item", c, li);
      list.appendChild(li);
    });
    if (S.nextBefore[S.tab] && LIST_PATH[S.tab].indexOf("status=") >= 0) {
      var tab = S.tab;
      list.appendChild(el("li", {class: "more", role: "presentation"}, [el("button", {type: "button", class: "link", text: t("load_more"),
        onclick: function () { loadMore(tab); }})]));
    }
    if (!renderLookup(list, shown) && !shown.length) list.appendChild(el("li", {class: "none", text: t("no_conversations")}));
  }

  /* The server-side lookup (GET /agent/visitors): visitors by name or email prefix across every
     conversation, not only the lists loaded here; shown under the local matches. */
  function renderLookup(list, shown) {
    var q = $("f-search").value.trim();
    var found = S.lookup;
    if (!q || !found || found.q !== q) return false;
    var have = {};
    shown.forEach(function (c) { have[c.conversation_id] = 1; });
    var items = [];
    found.results.forEach(function (r) {
      var v = r.visitor || {};
      var who = v.name || v.email || (t("anonymous") + " " + String(v.visitor_id || "").slice(-4));
      (r.conversations || []).forEach(function (c) {
        if (have[c.conversation_id]) return;
        have[c.conversation_id] = 1;
        items.push(convItem(c.conversation_id, "found", [
          el("div", {class: "row spread"}, [el("strong", {class: "who", text: who})]),
          el("div", {class: "meta"}, [
            v.name && v.email ? el("span", {class: "email", text: v.email}) : null,
            el("span", {class: "chip", text: statusLabel(c.status)}),
            el("span", {class: "time", text: fmtTime(c.last_message_at || c.updated_at || c.created_at)})
          ])
        ]));
      });
    });
    if (!items.length && shown.length) return false;
    list.appendChild(el("li", {class: "section", role: "presentation", text: items.length ? t("lookup_more") : t("lookup_none")}));
    items.forEach(function (li) { list.appendChild(li); });
    return true;
  }

  var lookupTimer = null;
  function lookupSoon() {
    clearTimeout(lookupTimer);
    var q = $("f-search").value.trim();
    if (q.length < 2) { S.lookup = null; return; }
    lookupTimer = setTimeout(function () {
      api("GET", "/agent/visitors?q=" + encodeURIComponent(q.slice(0, 100))).then(function (r) {
        if ($("f-search").value.trim() !== q) return;   // typed on meanwhile
        S.lookup = {q: q, results: r.results || []};
        renderList();
      }).catch(report);
    }, 250);
  }

  function renderCounts() {
    ["mine", "team", "queue", "open", "offline", "all"].forEach(function (k) {
      var n = document.querySelector("[data-count='" + k + "']");
      if (n) n.textContent = (S.lists[k] || []).length ? "(" + S.lists[k].length + ")" : "";
    });
  }

  document.querySelectorAll("#tabs [data-tab]").forEach(function (b) {
    b.addEventListener("click", function () { selectTab(b.getAttribute("data-tab")); });
    b.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      var tabs = Array.prototype.filter.call(document.querySelectorAll("#tabs [data-tab]"), function (x) { return !x.hidden; });
      var i = tabs.indexOf(b) + (e.key === "ArrowRight" ? 1 : -1);
      var next = tabs[(i + tabs.length) % tabs.length];
      next.focus(); selectTab(next.getAttribute("data-tab"));
    });
  });

  function selectTab(tab) {
    S.tab = tab;
    document.querySelectorAll("#tabs [data-tab]").forEach(function (b) {
      var on = b.getAttribute("data-tab") === tab;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    });
    renderList();
    if (!S.listLoaded[tab] || S.wsState !== "online") loadList(tab);
  }

  ["f-search", "f-channel", "f-team", "f-tag"].forEach(function (id) {
    $(id).addEventListener("input", renderList);
  });
  $("f-search").addEventListener("input", lookupSoon);

  setInterval(function () {   // waiting times tick
    document.querySelectorAll("[data-since]").forEach(function (n) {
      n.textContent = t("waiting_for", {t: fmtDuration(Date.now() - Number(n.getAttribute("data-since")))});
    });
  }, 1000);

  /* one notification per conversation newly assigned to me (by event or by a list refresh,
     whichever comes first); the first load of "Mine" only records what is already there */
  function noticeMine(conv, announce) {
    if (!conv || !S.me || conv.agent_id !== S.me.agent_id || conv.status !== "assigned") return;
    S.mineSeen = S.mineSeen || {};
    var key = conv.conversation_id + ":" + ((conv.attrs && conv.attrs.assigned_at) || "");
    if (S.mineSeen[conv.conversation_id] === key) return;
    var first = !(conv.conversation_id in S.mineSeen);
    S.mineSeen[conv.conversation_id] = key;
    if (announce && first && S.current !== conv.conversation_id) {
      notify(t((conv.attrs && conv.attrs.assign_kind) === "transferred" ? "transferred_to_you" : "new_chat"), visitorLabel(conv));
    }
  }

  function noticeQueue(list) {
    var ids = list.map(function (c) { return c.conversation_id; });
    if (S.knownQueue) {
      S.queueNotified = S.queueNotified || {};
      var fresh = ids.filter(function (id) { return !S.knownQueue[id] && !S.queueNotified[id]; });
      fresh.forEach(function (id) { S.queueNotified[id] = 1; });
      if (fresh.length && S.me && S.me.status === "online") notify(t("new_chat"), visitorLabel(S.convs[fresh[0]]));
    }
    S.knownQueue = {};
    ids.forEach(function (id) { S.knownQueue[id] = 1; });
  }

  // ------------------------------------------------------------------ conversation view
  function openConversation(cid) {
    S.current = cid;
    if (S.page !== "inbox") showPage("inbox");
    $("conv-empty").hidden = true;
    $("conv-view").hidden = false;
    renderList();
    renderHeader();
    clear($("log"));
    clear($("typing"));
    renderVisitor();
    var have = S.loaded[cid];   // live events may have filled part of the store: load the page once
    var p1 = api("GET", "/agent/conversations/" + encodeURIComponent(cid)).then(function (r) {
      mergeConv(r.conversation);
      S.details[cid] = {visitor: r.visitor, previous: r.previous_conversations || []};
      if (S.current === cid) { renderHeader(); renderVisitor(); renderList(); }
    });
    var p2 = have ? syncConversation(cid) : api("GET", "/agent/conversations/" + encodeURIComponent(cid) + "/messages?limit=50").then(function (r) {
      addMessages(cid, r.messages || []);
      examinedTail(cid, r);
      S.loaded[cid] = true;
      S.hasMore[cid] = !!r.has_more;
      if (r.conversation) mergeConv(r.conversation);
      return syncConversation(cid);   // anything newer than the page (gapless)
    });
    renderLog(true);
    Promise.all([p1, p2]).then(function () {
      if (S.current === cid) { renderLog(true); markRead(); }
    }).catch(report);
    $("input").focus();
  }

  function addMessages(cid, list) {
    var store = S.msgs[cid] = S.msgs[cid] || {};
    var added = 0;
    list.forEach(function (m) {
      if (!store[m.seq]) added++;
      store[m.seq] = m;                  // dedupe by seq
      if (S.firstSeq[cid] === undefined || m.seq < S.firstSeq[cid]) S.firstSeq[cid] = m.seq;
      var c = S.convs[cid];
      if (c && m.seq > (c.last_seq || 0)) c.last_seq = m.seq;
    });
    fillUp(cid);
    return added;
  }

  // Catch-up (docs/websocket-protocol.md): a message arriving alone (push, REST send reply)
  // closes no gap below it; only the next seq moves the marker, or a sync reply that
  // examined everything from it up to its cursor.
  function fillUp(cid) {
    var store = S.msgs[cid] || {};
    if (S.synced[cid] === undefined) return;
    while (store[S.synced[cid] + 1]) S.synced[cid]++;
    if (lastSeq(cid) > S.synced[cid] && !S.gapTimers[cid]) {
      S.gapTimers[cid] = setTimeout(function () {
        delete S.gapTimers[cid];
        if (lastSeq(cid) > S.synced[cid]) syncConversation(cid, undefined, true);
      }, 1500);
    }
  }

  function examined(cid, after, cursor) {
    if (S.synced[cid] === undefined || after === undefined || after > S.synced[cid]) return;
    if (cursor > S.synced[cid]) S.synced[cid] = cursor;
    fillUp(cid);
  }

  // the latest page examined first_seq..cursor: it joins what we hold if it reaches down to it
  function examinedTail(cid, r) {
    var mark = S.synced[cid] || 0;
    if (r.cursor === null || r.cursor === undefined) { if (S.synced[cid] === undefined) S.synced[cid] = 0; fillUp(cid); return; }
    if (!mark || r.first_seq === null || r.first_seq === undefined || r.first_seq <= mark + 1) {
      S.synced[cid] = Math.max(mark, r.cursor);
    }
    fillUp(cid);
  }

  function lastSeq(cid) {
    var keys = Object.keys(S.msgs[cid] || {}).map(Number);
    return keys.length ? Math.max.apply(null, keys) : 0;
  }

  function eventText(m) {
    var e = m.event || {};
    var agent = e.agent_name || e.agent || e.to_agent_name || "";
    switch (e.kind) {
      case "joined": return t("ev_joined", {agent: agent});
      case "left": return t("ev_left", {agent: agent});
      case "transferred": return t("ev_transferred", {target: e.agent_name || e.to_agent_name || e.to_team || e.team || e.to_agent_id || ""});
      case "closed": return t("ev_closed");
      case "queued": return t("ev_queued");
      case "assigned": return t("ev_assigned", {agent: agent});
      case "reopened": return t("ev_reopened", {agent: agent});
      case "rated": return t("ev_rated", {score: e.score}) + (m.text ? " — " + m.text : "");
      case "offline": return t(e.reason === "left_message" ? "ev_offline" : "ev_offline_offered_" +
        (["closed", "no_agents", "timeout"].indexOf(e.reason) >= 0 ? e.reason : "other"));
      case "handoff": return t("ev_handoff");
      default: return t("ev_other", {kind: e.kind || "?"});
    }
  }

  function renderMessage(m) {
    var who = m.sender || {};
    var mine = who.type === "agent" && S.me && who.id === S.me.agent_id;
    if (m.type === "event") {
      return el("li", {class: "msg event", dataset: {seq: m.seq, kind: (m.event || {}).kind || ""}}, [
        el("span", {text: eventText(m)}), el("time", {text: fmtTime(m.created_at)})]);
    }
    var cls = "msg " + (who.type || "system") + (mine ? " mine" : "") + (m.type === "note" ? " note" : "");
    var body = el("div", {class: "bubble"});
    if (m.type === "note") body.appendChild(el("span", {class: "note-badge", text: t("note_badge")}));
    if (m.text) body.appendChild(el("div", {class: "text", text: m.text}));
    if (m.attachment) {
      var a = m.attachment;
      var link = el("a", {href: a.url || "#", target: "_blank", rel: "noopener noreferrer", class: "attachment"});
      if (a.url && /^image\//.test(a.content_type || "")) link.appendChild(el("img", {src: a.url, alt: a.name || "", loading: "lazy"}));
      link.appendChild(el("span", {text: (a.name || "file") + (a.size ? " (" + Math.ceil(a.size / 1024) + " KB)" : "")}));
      body.appendChild(link);
    }
    if (m.extra && m.extra.suggestions && m.extra.suggestions.length) {
      body.appendChild(el("div", {class: "suggestions"}, m.extra.suggestions.map(function (s) {
        return el("span", {class: "chip", text: typeof s === "string" ? s : (s.question || s.text || "")});
      })));
    }
    var name = mine ? t("you") : (who.type === "bot" ? (who.name || t("bot")) : (who.type === "visitor" ? visitorLabel(S.convs[m.conversation_id] || {}) : (who.name || who.type)));
    return el("li", {class: cls, dataset: {seq: m.seq}}, [
      el("div", {class: "from"}, [el("span", {text: name}), el("time", {text: fmtTime(m.created_at)})]),
      body
    ]);
  }

  function renderLog(scroll) {
    var cid = S.current;
    if (!cid) return;
    var log = $("log");
    var wrap = log.parentNode;
    var atBottom = wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 40;
    clear(log);
    var seqs = Object.keys(S.msgs[cid] || {}).map(Number).sort(function (a, b) { return a - b; });
    var c = S.convs[cid] || {};
    var seenSeq = (c.reads || {}).visitor || 0;
    var lastMine = 0;
    seqs.forEach(function (s) {
      var m = S.msgs[cid][s];
      if (m.sender && m.sender.type === "agent" && m.type !== "note" && s <= seenSeq) lastMine = s;
    });
    seqs.forEach(function (s) {
      var li = renderMessage(S.msgs[cid][s]);
      runHooks("message", S.msgs[cid][s], li, c);
      if (s === lastMine) li.appendChild(el("div", {class: "seen", text: t("seen")}));
      log.appendChild(li);
    });
    $("load-earlier").hidden = !(S.hasMore[cid]);
    if (scroll || atBottom) wrap.scrollTop = wrap.scrollHeight;
  }

  $("load-earlier").addEventListener("click", function () {
    var cid = S.current;
    var before = S.firstSeq[cid];
    if (!cid || !before) return;
    var wrap = $("log").parentNode;
    var h = wrap.scrollHeight;
    api("GET", "/agent/conversations/" + encodeURIComponent(cid) + "/messages?before=" + before + "&limit=50").then(function (r) {
      addMessages(cid, r.messages || []);
      S.hasMore[cid] = !!r.has_more;
      renderLog(false);
      wrap.scrollTop = wrap.scrollHeight - h;
    }).catch(report);
  });

  function renderHeader() {
    var c = S.convs[S.current];
    if (!c) return;
    $("conv-title").textContent = visitorLabel(c);
    $("conv-status").textContent = statusLabel(c.status);
    $("conv-status").className = "badge " + (c.status || "");
    var tags = clear($("conv-tags"));
    (c.tags || []).forEach(function (x) {
      tags.appendChild(el("span", {class: "chip tag"}, [x, el("button", {type: "button", class: "x", "aria-label": t("remove_tag", {t: x}), text: "×",
        onclick: function () { setTags(c.conversation_id, [], [x]); }})]));
    });
    tags.appendChild(el("input", {class: "tag-input", type: "text", maxlength: "40", placeholder: "+ " + t("add_tag"), "aria-label": t("add_tag"),
      onkeydown: function (e) { if (e.key === "Enter" && e.target.value.trim()) { e.preventDefault(); setTags(c.conversation_id, [e.target.value.trim()], []); } }}));
    if (c.attrs && c.attrs.rating) tags.appendChild(el("span", {class: "chip rating", text: t("rating") + ": " + "★".repeat(c.attrs.rating.score || 0)}));
    var me = S.me ? S.me.agent_id : null;
    var mineConv = c.agent_id === me;
    var participant = mineConv || (c.participants || []).indexOf(me) >= 0;
    // the same rules as the server's (chalicelib/domain/permissions.py); the server decides
    var assigned = c.status === "assigned", closed = c.status === "closed";
    var canWrite = !closed && (isSupervisor() || (assigned ? mineConv : participant));
    var show = {
      accept: ["queued", "open", "new", "offline"].indexOf(c.status) >= 0,
      join: !closed && !participant && (isSupervisor() || !assigned),
      leave: !closed && participant && !mineConv,
      transfer: assigned && (mineConv || isSupervisor()),
      reassign: assigned && isSupervisor(),
      close: !closed && (isSupervisor() || (assigned ? mineConv : true)),
      reopen: closed && (isSupervisor() || !c.agent_id || mineConv)
    };
    document.querySelectorAll("#conv-actions [data-act]").forEach(function (b) { b.hidden = !show[b.getAttribute("data-act")]; });
    $("input").disabled = !canWrite;
    $("input").placeholder = closed ? t("closed_ph") : canWrite ? t("composer_ph") : t("read_only_ph");
    runHooks("header", c, clear($("conv-ext")));
  }

  function renderVisitor() {
    var panel = clear($("visitor-panel"));
    var c = S.convs[S.current];
    if (!c) return;
    var d = S.details[S.current] || {};
    var v = d.visitor || {};
    function row(label, value, isLink) {
      if (value === undefined || value === null || value === "") return null;
      var val = isLink && /^https?:\/\//i.test(value) ? el("a", {href: value, target: "_blank", rel: "noopener noreferrer", text: value}) : el("span", {text: String(value)});
      return el("div", {class: "kv"}, [el("dt", {text: label}), el("dd", {}, [val])]);
    }
    panel.appendChild(el("h2", {text: v.name || v.email || t("anonymous")}));
    panel.appendChild(el("p", {class: "muted", text: (v.visits || 1) > 1 ? t("returning", {n: v.visits}) : t("new_visitor")}));
    panel.appendChild(el("dl", {}, [
      row(t("email"), v.email), row(t("site"), v.site_key || c.site_key), row(t("page"), v.page_url, true),
      row(t("referrer"), v.referrer, true), row(t("device"), device(v.user_agent)), row(t("language"), v.locale),
      row(t("channel"), c.channel)
    ]));
    if (v.attributes) {
      panel.appendChild(el("dl", {class: "attrs"}, Object.keys(v.attributes).map(function (k) { return row(k, v.attributes[k]); })));
    }
    if (v.visitor_id) {
      var tagsIn = el("input", {type: "text", id: "v-tags", value: (v.tags || []).join(", "), "aria-label": t("tags_label")});
      var notes = el("textarea", {id: "v-notes", rows: "4", maxlength: "5000", "aria-label": t("notes"), value: v.notes || ""});
      notes.value = v.notes || "";
      panel.appendChild(el("label", {}, [el("span", {text: t("tags_label")}), tagsIn]));
      panel.appendChild(el("label", {}, [el("span", {text: t("notes")}), notes]));
      panel.appendChild(el("button", {type: "button", text: t("save"), onclick: function () {
        var tags = tagsIn.value.split(",").map(function (x) { return x.trim(); }).filter(Boolean);
        api("PATCH", "/agent/visitors/" + encodeURIComponent(v.visitor_id), {notes: notes.value, tags: tags}).then(function (r) {
          if (r && r.visitor) d.visitor = r.visitor;
          toast(t("saved"));
        }).catch(report);
      }}));
    }
    var prev = d.previous || [];
    if (prev.length) {
      panel.appendChild(el("h3", {text: t("previous")}));
      panel.appendChild(el("ul", {class: "prev"}, prev.map(function (p) {
        mergeConv(p);
        return el("li", {}, [el("button", {type: "button", class: "link", text: fmtTime(p.created_at) + " · " + statusLabel(p.status),
          onclick: function () { openConversation(p.conversation_id); }})]);
      })));
    }
    runHooks("visitor", c, panel, d);
  }

  function device(ua) {
    if (!ua) return "";
    var os = /Windows/.test(ua) ? "Windows" : /iPhone|iPad/.test(ua) ? "iOS" : /Android/.test(ua) ? "Android" :
      /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
    var br = /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Firefox\//.test(ua) ? "Firefox" :
      /Safari\//.test(ua) ? "Safari" : "";
    var kind = /Mobi|iPhone|Android/.test(ua) ? "mobile" : "desktop";
    return [br, os, kind].filter(Boolean).join(" · ") || ua.slice(0, 60);
  }

  // ------------------------------------------------------------------ actions
  function act(cid, path, body) {
    return api("POST", "/agent/conversations/" + encodeURIComponent(cid) + path, body || {}).then(function (r) {
      if (r && r.conversation) applyDelta(r.conversation);
      if (cid === S.current) { renderHeader(); syncConversation(cid); }
      renderLists();
      return r;
    });
  }

  function accept(cid) {
    return act(cid, "/accept").then(function () {
      selectTab("mine");
      openConversation(cid);
    }).catch(report);
  }

  function setTags(cid, add, remove) {
    act(cid, "/tags", {add: add, remove: remove}).catch(report);
  }

  document.querySelectorAll("#conv-actions [data-act]").forEach(function (b) {
    b.addEventListener("click", function () { doAction(b.getAttribute("data-act")); });
  });

  function doAction(name) {
    var cid = S.current;
    if (!cid) return;
    if (name === "accept") return accept(cid);
    if (name === "join") return act(cid, "/join").catch(report);
    if (name === "leave") return act(cid, "/leave").catch(report);
    if (name === "close") return act(cid, "/close").catch(report);
    if (name === "reopen") return act(cid, "/reopen").catch(report);
    if (name === "transfer" || name === "reassign") return openTransfer(name);
  }

  var transferMode = "transfer";
  function openTransfer(mode) {
    transferMode = mode;
    $("transfer-error").textContent = "";
    $("transfer-team").value = "";
    $("transfer-note").value = "";
    $("transfer-team").parentNode.hidden = mode === "reassign";
    $("transfer-note").parentNode.hidden = mode === "reassign";
    $("transfer-title").textContent = t(mode);
    var sel = $("transfer-agent");
    while (sel.options.length > 1) sel.remove(1);
    var fill = function (agents) {
      agents.filter(function (a) { return a.agent_id !== (S.me && S.me.agent_id); }).forEach(function (a) {
        sel.appendChild(el("option", {value: a.agent_id, text: (a.name || a.email) + " · " + t(a.status || "offline") +
          " · " + (a.active_count || 0) + "/" + (a.capacity || 0)}));
      });
    };
    api("GET", "/agent/agents").then(function (r) { fill(r.agents || []); }).catch(function () {
      fill(S.agents || []);  // offline or failing: fall back to the last known list
    });
    $("transfer-dlg").showModal();
    sel.focus();
  }

  $("transfer-cancel").addEventListener("click", function () { $("transfer-dlg").close(); });
  $("transfer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var agent = $("transfer-agent").value, team = $("transfer-team").value.trim(), note = $("transfer-note").value.trim();
    var body;
    if (transferMode === "reassign") body = {agent_id: agent};
    else {
      body = agent ? {agent_id: agent} : {team: team};
      if (note) body.note = note;
    }
    act(S.current, "/" + transferMode, body).then(function () { $("transfer-dlg").close(); })
      .catch(function (err) { $("transfer-error").textContent = err.message; });
  });

  // ------------------------------------------------------------------ composer
  var input = $("input");

  function sendCurrent() {
    var cid = S.current;
    var text = input.value;
    if (!cid || !text.trim()) return;
    var exact = cannedFor(text.trim());
    if (exact && text.trim() === exact.shortcut) { insertCanned(exact); return; }
    var body = {client_message_id: uid(), text: text};
    if ($("note").checked) body.note = true;
    input.value = "";
    hideSuggest();
    sendTyping(false);
    postMessage(cid, body).catch(function (e) { input.value = text; report(e); });
  }

  function postMessage(cid, body) {
    return api("POST", "/agent/conversations/" + encodeURIComponent(cid) + "/messages", body).then(function (r) {
      if (r && r.message) {
        addMessages(cid, [r.message]);
        var c = S.convs[cid];
        if (c) { c.reads = c.reads || {}; c.reads[S.me.agent_id] = Math.max(c.reads[S.me.agent_id] || 0, r.message.seq); }
        if (cid === S.current) renderLog(true);
      }
    });
  }

  $("composer").addEventListener("submit", function (e) { e.preventDefault(); sendCurrent(); });

  input.addEventListener("keydown", function (e) {
    var sug = $("canned-suggest");
    if (!sug.hidden && (e.key === "Tab" || e.key === "ArrowDown" || e.key === "ArrowUp" || e.key === "Escape")) {
      var items = Array.prototype.slice.call(sug.children);
      var i = items.findIndex(function (x) { return x.getAttribute("aria-selected") === "true"; });
      if (e.key === "Escape") { hideSuggest(); e.preventDefault(); return; }
      if (e.key === "Tab") { e.preventDefault(); var pick = S.canned.filter(function (c) { return c.shortcut === items[Math.max(0, i)].dataset.shortcut; })[0]; if (pick) insertCanned(pick); return; }
      e.preventDefault();
      i = (i + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach(function (x, j) { x.setAttribute("aria-selected", j === i ? "true" : "false"); });
      return;
    }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); sendCurrent(); return; }
    if (e.key === "Enter" && !e.shiftKey && !e.altKey && !e.isComposing) { e.preventDefault(); sendCurrent(); }
  });

  input.addEventListener("input", function () {
    showSuggest(input.value);
    if (input.value) sendTyping(true);
  });
  input.addEventListener("blur", function () { sendTyping(false); });

  function cannedFor(text) {
    var s = text.toLowerCase();
    return S.canned.filter(function (c) { return c.shortcut.toLowerCase() === s; })[0];
  }

  function showSuggest(text) {
    var sug = $("canned-suggest");
    var m = /^\/(\S*)$/.exec(text);
    var exactWithSpace = /^(\/\S+) $/.exec(text);
    if (exactWithSpace && cannedFor(exactWithSpace[1])) { insertCanned(cannedFor(exactWithSpace[1])); return; }
    if (!m) return hideSuggest();
    var list = S.canned.filter(function (c) { return c.shortcut.toLowerCase().indexOf(text.toLowerCase()) === 0; }).slice(0, 8);
    if (!list.length) return hideSuggest();
    clear(sug);
    list.forEach(function (c, i) {
      sug.appendChild(el("li", {role: "option", "aria-selected": i === 0 ? "true" : "false", dataset: {shortcut: c.shortcut},
        onmousedown: function (e) { e.preventDefault(); insertCanned(c); }},
        [el("strong", {text: c.shortcut}), " ", el("span", {text: c.text.slice(0, 80)})]));
    });
    sug.hidden = false;
  }

  function hideSuggest() { $("canned-suggest").hidden = true; }

  function insertCanned(c) {
    input.value = c.text;
    hideSuggest();
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  function loadCanned() {
    api("GET", "/agent/canned").then(function (r) { S.canned = (r && r.canned) || []; }).catch(function () { S.canned = []; });
  }

  function sendTyping(state) {
    var cid = S.current;
    if (!cid || !S.ws || S.ws.readyState !== 1) return;
    var now = Date.now();
    if (state && now - S.lastTypingSent < 3000) return;
    if (!state && !S.lastTypingSent) return;
    S.lastTypingSent = state ? now : 0;
    wsSend({action: "typing", conversation_id: cid, data: {state: state}});
  }

  $("file").addEventListener("change", function () {
    var f = this.files && this.files[0];
    var cid = S.current;
    this.value = "";
    if (!f || !cid) return;
    api("POST", "/agent/conversations/" + encodeURIComponent(cid) + "/attachments",
      {name: f.name, content_type: f.type || "application/octet-stream", size: f.size}).then(function (r) {
      var form = new FormData();
      Object.keys(r.upload.fields || {}).forEach(function (k) { form.append(k, r.upload.fields[k]); });
      form.append("file", f);
      return fetch(r.upload.url, {method: "POST", body: form}).then(function (resp) {
        if (!resp.ok && resp.status !== 204) throw new Error("Upload failed (" + resp.status + ")");
        return postMessage(cid, {client_message_id: uid(), attachment: r.attachment});
      });
    }).catch(report);
  });

  function markRead() {
    var cid = S.current;
    var c = S.convs[cid];
    if (!cid || !c || document.hidden || S.page !== "inbox") return;
    var seq = lastSeq(cid);
    var mine = (c.reads || {})[S.me.agent_id] || 0;
    if (!seq || seq <= mine) return;
    c.reads = c.reads || {};
    c.reads[S.me.agent_id] = seq;
    if (S.ws && S.ws.readyState === 1) wsSend({action: "read", conversation_id: cid, data: {seq: seq}});
    else api("POST", "/agent/conversations/" + encodeURIComponent(cid) + "/read", {seq: seq}).catch(function () {});
    renderList();
    updateTitle();
  }

  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("focus", markRead);

  // ------------------------------------------------------------------ WebSocket
  function setConn(state) {
    S.wsState = state;
    if (state === "online") S.wsDownSince = 0;
    else if (!S.wsDownSince) S.wsDownSince = Date.now();
    var n = $("conn-state");
    n.textContent = t(state === "online" ? "live" : (state === "connecting" ? "connecting" : "reconnecting"));
    n.className = "conn " + state;
  }

  // The same socket keepalive as the widget (docs/websocket-protocol.md, "Limits"): a ping
  // every 4 minutes (API Gateway's idle timeout is 10), no pong within 10 s drops a dead
  // socket; renewal at 110 minutes (the 2-hour limit) make before break; reconnect backoff
  // min(30 s, 0.5 s * 2^n) with equal jitter.
  var PING_MS = 240000, PONG_MS = 10000, RENEW_MS = 110 * 60000;

  function connectWs(renew) {
    if (!S.auth) return;
    clearTimeout(S.wsTimer);
    var old = renew && S.ws && S.ws.readyState === 1 ? S.ws : null;
    if (S.ws && !old) { try { S.ws.onclose = null; S.ws.close(); } catch (e) { /* ignore */ } S.ws = null; }
    if (!old) setConn("connecting");
    var url = cfg.ws + (cfg.ws.indexOf("?") >= 0 ? "&" : "?") + "token=" + encodeURIComponent(S.auth.token) + "&role=agent";
    var ws;
    try { ws = new WebSocket(url); } catch (e) { return old ? undefined : scheduleReconnect(); }
    if (!old) S.ws = ws;
    ws.onopen = function () {
      if (old) {
        // renewal: the new socket is open, now the old one goes (its events overlap: by seq)
        if (S.ws !== old) { ws.onclose = null; ws.close(); return; }
        S.ws = ws;
        old.onclose = null;
        try { old.close(1000); } catch (e) { /* ignore */ }
      } else if (S.ws !== ws) return;
      S.wsAttempts = 0;
      setConn("online");
      // catch up every conversation we hold messages for, then the lists
      Object.keys(S.loaded).forEach(function (cid) { syncConversation(cid); });
      resync();
      if (isSupervisor()) loadAgents();
      clearInterval(S.pingTimer);
      clearTimeout(S.lifeTimer);
      S.pingTimer = setInterval(function () {
        if (S.ws !== ws) return;
        wsSend({action: "ping"});
        clearTimeout(S.pongTimer);
        S.pongTimer = setTimeout(function () {
          if (S.ws === ws) { S.ws = null; ws.onclose = null; try { ws.close(); } catch (e) { /* ignore */ } scheduleReconnect(); }
        }, PONG_MS);
      }, PING_MS);
      S.lifeTimer = setTimeout(function () { if (S.ws === ws) connectWs(true); }, RENEW_MS);
    };
    ws.onmessage = function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      onEvent(data);
    };
    ws.onclose = function () {
      if (S.ws === ws) { clearInterval(S.pingTimer); clearTimeout(S.lifeTimer); S.ws = null; scheduleReconnect(); }
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    if (!S.auth) return;
    setConn("reconnecting");
    var delay = Math.min(30000, 500 * Math.pow(2, S.wsAttempts++)) * (0.5 + Math.random() / 2);
    clearTimeout(S.wsTimer);
    S.wsTimer = setTimeout(function () {
      // a dropped socket may mean an expired token: check it over REST first
      api("GET", "/agent/me").then(function (me) { S.me = me; renderMe(); connectWs(); })
        .catch(function (e) { if (e.status !== 401) scheduleReconnect(); });
    }, delay);
  }

  function stopLive() {
    clearTimeout(S.wsTimer); clearTimeout(S.tokenTimer); clearInterval(S.pingTimer); clearTimeout(S.lifeTimer);
    if (S.ws) { var ws = S.ws; S.ws = null; ws.onclose = null; try { ws.close(); } catch (e) { /* ignore */ } }
    setConn("offline");
  }

  function wsSend(frame) {
    if (S.ws && S.ws.readyState === 1) S.ws.send(JSON.stringify(frame));
  }

  window.addEventListener("online", function () { if (!S.ws && S.auth) { S.wsAttempts = 0; connectWs(); } });
  window.addEventListener("offline", function () {
    // the browser knows the network is gone: drop the socket now, catch up when it is back
    if (S.ws) { var ws = S.ws; S.ws = null; ws.onclose = null; try { ws.close(); } catch (e) { /* ignore */ } }
    clearInterval(S.pingTimer);
    clearTimeout(S.lifeTimer);
    clearTimeout(S.wsTimer);
    if (S.auth) setConn("reconnecting");
  });

  // from the catch-up marker (or `from`, a cursor while paging), never from the highest seq
  // held; a conversation whose first page is still loading syncs once that page is in
  function syncConversation(cid, from, gap) {
    if (S.synced[cid] === undefined) return Promise.resolve();
    var after = from !== undefined ? from : S.synced[cid];
    if (S.ws && S.ws.readyState === 1) {
      var id = "sync-" + (++S.syncN);
      S.syncReq[id] = {cid: cid, after: after, gap: gap};
      wsSend({action: "sync", id: id, conversation_id: cid, data: {after: after}});
      return Promise.resolve();
    }
    return api("GET", "/agent/conversations/" + encodeURIComponent(cid) + "/messages?after=" + after + "&limit=200").then(function (r) {
      onEvent({type: "sync", conversation_id: cid, after: after, messages: r.messages || [], cursor: r.cursor,
        has_more: r.has_more, conversation: r.conversation});
    });
  }

  function onEvent(ev) {
    var cid = ev.conversation_id;
    runHooks("event", ev);
    switch (ev.type) {
      case "message": {
        var m = ev.message;
        var isNew = addMessages(cid, [m]);
        var c = S.convs[cid];
        if (cid === S.current) { renderLog(false); markRead(); clearTyping(m.sender); }
        if (isNew && m.sender && m.sender.type === "visitor" && (cid !== S.current || document.hidden)) {
          notify(t("new_message"), (c ? visitorLabel(c) + ": " : "") + (m.text || (m.attachment && m.attachment.name) || ""));
        }
        if (!c) fetchConversation(cid);   // state changes come as deltas; this one is new to us
        renderList(); updateTitle();
        break;
      }
      case "sync": {
        var req = S.syncReq[ev.id] || {};
        delete S.syncReq[ev.id];
        var after = ev.after !== undefined ? ev.after : req.after;
        var cursor = ev.cursor === null || ev.cursor === undefined ? after : ev.cursor;
        addMessages(cid, ev.messages || []);
        examined(cid, after, cursor);
        // a gap sync on a live socket is for messages; conversation events keep the state
        if (ev.conversation && !req.gap) applyDelta(ev.conversation);
        if (ev.has_more) syncConversation(cid, cursor, req.gap);   // the next page starts at the cursor
        if (cid === S.current) { renderLog(false); renderHeader(); markRead(); }
        renderList(); updateTitle();
        break;
      }
      case "typing": {
        if (cid !== S.current || !ev.sender || (S.me && ev.sender.id === S.me.agent_id)) break;
        showTyping(ev.sender, ev.state);
        break;
      }
      case "read": {
        var cc = S.convs[cid];
        if (cc && ev.reader) {
          var key = ev.reader.type === "visitor" ? "visitor" : ev.reader.id;
          cc.reads = cc.reads || {};
          cc.reads[key] = Math.max(cc.reads[key] || 0, ev.seq || 0);
          if (cid === S.current) renderLog(false);
          renderList(); updateTitle();
        }
        break;
      }
      case "conversation": {
        var conv = applyDelta(ev.conversation);
        if (!conv) break;                 // not newer than what we hold
        noticeMine(conv, true);
        if (conv.conversation_id === S.current) { renderHeader(); syncConversation(conv.conversation_id); }
        renderLists();
        break;
      }
      case "agent": {
        var a = ev.agent;
        if (S.me && a.agent_id === S.me.agent_id) { S.me = Object.assign(S.me, a); renderMe(); }
        var found = false;
        S.agents = S.agents.map(function (x) { if (x.agent_id === a.agent_id) { found = true; return Object.assign({}, x, a); } return x; });
        if (!found && !a.disabled) S.agents.push(a);
        if (S.page === "supervisor") renderSupervisor();
        break;
      }
      case "pong":
        clearTimeout(S.pongTimer);
        break;
      case "error":
        if (ev.code === "token_expired" || ev.code === "invalid_token") sessionEnded(ev);
        else if (ev.code !== "conversation_closed") toast(ev.message || ev.code, "bad");
        break;
      default:
        break;
    }
  }

  function showTyping(sender, state) {
    var key = sender.type + ":" + (sender.id || "");
    clearTimeout(S.typingTimers[key]);
    var box = $("typing");
    var existing = box.querySelector("[data-key='" + CSS.escape(key) + "']");
    if (existing) existing.remove();
    if (!state) return;
    var who = sender.type === "visitor" ? visitorLabel(S.convs[S.current] || {}) : (sender.name || sender.type);
    box.appendChild(el("span", {dataset: {key: key}, text: t("typing", {who: who})}));
    S.typingTimers[key] = setTimeout(function () { showTyping(sender, false); }, 7000);
  }

  function clearTyping(sender) { if (sender) showTyping(sender, false); }

  // ------------------------------------------------------------------ notifications
  function unlockAudio() {
    if (S.audio) return;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try { S.audio = new Ctx(); } catch (e) { S.audio = null; }
  }
  document.addEventListener("pointerdown", unlockAudio, {once: true});
  document.addEventListener("keydown", unlockAudio, {once: true});

  S.notified = 0;
  function notify(title, body) {
    S.notified++;
    S.notices = (S.notices || []).concat([title]).slice(-10);
    if (S.audio) {
      try {
        var o = S.audio.createOscillator(), g = S.audio.createGain();
        o.frequency.value = 880; g.gain.value = 0.08;
        o.connect(g); g.connect(S.audio.destination);
        o.start(); o.stop(S.audio.currentTime + 0.15);
      } catch (e) { /* ignore */ }
    }
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      try { new Notification(title, {body: body, tag: "parley"}); } catch (e) { /* ignore */ }
    }
    toast(title + (body ? " — " + body : ""));
  }

  $("notify-btn").addEventListener("click", function () {
    unlockAudio();
    if (window.Notification && Notification.permission !== "granted") {
      Notification.requestPermission().then(function () { $("notify-btn").hidden = Notification.permission === "granted"; });
    } else $("notify-btn").hidden = true;
  });
  if (!window.Notification || Notification.permission === "granted") $("notify-btn").hidden = true;

  function updateTitle() {
    var total = 0;
    (S.lists.mine || []).forEach(function (id) { total += unread(S.convs[id]); });
    var waiting = (S.lists.queue || []).length;
    document.title = (total ? "(" + total + ") " : "") + (waiting ? "[" + waiting + "] " : "") + "Parley console";
  }

  // ------------------------------------------------------------------ supervisor
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
  }

  // ------------------------------------------------------------------ admin pages
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
    el: el, t: t, lang: function () { return lang; }, api: api, clear: clear, toast: toast, report: report, $: $,
    field: field, section: section, errBox: errBox, showErr: showErr,
    setCanned: function (list) { S.canned = list; },
    sitePanels: function () { return SITE_PANELS; }
  });
  ADMIN_PAGES.kb = function () { renderKb(); };
  // bot management lives in bot.js (loaded by index.html): called explicitly here
  ADMIN_PAGES.bot = function () {
    window.ParleyBotAdmin.render($("page-bot"), {api: api, toast: toast, el: el, clear: clear, lang: function () { return lang; }});
  };

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
        var a = el("a", {href: URL.createObjectURL(b), download: "kb-" + site.value + ".csv"});
        document.body.appendChild(a); a.click(); a.remove();
      }).catch(function (e) { showErr(err, e); });
    }})]));
    page.appendChild(err);
    page.appendChild(list);
    function load() {
      clear(list);
      api("GET", "/admin/kb?site_key=" + encodeURIComponent(site.value) + "&q=" + encodeURIComponent(q.value)).then(function (r) {
        var tb = el("tbody");
        (r.entries || []).forEach(function (en) { tb.appendChild(kbRow(en, load, err)); });
        list.appendChild(el("table", {class: "grid kb"}, [el("thead", {}, [el("tr", {}, [t("question"), t("similar"), t("answer"), t("tags_label"), t("enabled"), ""].map(function (h) { return el("th", {text: h}); }))]), tb]));
      }).catch(function (e) { showErr(err, e); });
      clear(props);
      api("GET", "/admin/kb/proposals?site_key=" + encodeURIComponent(site.value)).then(function (r) {
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
    page.appendChild(el("form", {class: "card inline-form", onsubmit: function (e) {
      e.preventDefault();
      api("POST", "/admin/kb", {site_key: site.value, question: nq.value.trim(), answer: na.value,
        similar: ns.value.split("\n").map(function (x) { return x.trim(); }).filter(Boolean),
        tags: nt.value.split(",").map(function (x) { return x.trim(); }).filter(Boolean), enabled: true})
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
    api("GET", "/admin/sites").then(function (r) {
      (r.sites || []).forEach(function (s) { site.appendChild(el("option", {value: s.site_key, text: s.site_key})); });
      load();
    }).catch(report);
    site.addEventListener("change", load);
    var deb;
    q.addEventListener("input", function () { clearTimeout(deb); deb = setTimeout(load, 300); });
  }

  function kbRow(en, reload, err) {
    var qi = el("input", {type: "text", value: en.question, maxlength: "500", "aria-label": t("question")});
    var si = el("textarea", {rows: "2", "aria-label": t("similar")}); si.value = (en.similar || []).join("\n");
    var ai = el("textarea", {rows: "2", "aria-label": t("answer")}); ai.value = en.answer || "";
    var ti = el("input", {type: "text", value: (en.tags || []).join(", "), "aria-label": t("tags_label")});
    var ei = el("input", {type: "checkbox", checked: en.enabled !== false, "aria-label": t("enabled")});
    return el("tr", {}, [el("td", {}, [qi]), el("td", {}, [si]), el("td", {}, [ai]), el("td", {}, [ti]), el("td", {}, [ei]),
      el("td", {}, [el("button", {type: "button", class: "small", text: t("save"), onclick: function () {
        api("PUT", "/admin/kb/" + encodeURIComponent(en.id), {site_key: en.site_key, question: qi.value.trim(), answer: ai.value,
          similar: si.value.split("\n").map(function (x) { return x.trim(); }).filter(Boolean),
          tags: ti.value.split(",").map(function (x) { return x.trim(); }).filter(Boolean), enabled: ei.checked})
          .then(function () { toast(t("saved")); }).catch(function (e) { showErr(err, e); });
      }}), el("button", {type: "button", class: "small danger", text: t("delete"), onclick: function () {
        if (!confirm(t("confirm_delete"))) return;
        api("DELETE", "/admin/kb/" + encodeURIComponent(en.id) + "?site_key=" + encodeURIComponent(en.site_key || "")).then(reload).catch(function (e) { showErr(err, e); });
      }})])]);
  }

  // ------------------------------------------------------------------ keyboard
  document.addEventListener("keydown", function (e) {
    if ($("app").hidden) return;
    var inField = /^(INPUT|TEXTAREA|SELECT)$/.test((e.target && e.target.tagName) || "");
    if (e.key === "?" && !inField && !e.ctrlKey && !e.altKey) { e.preventDefault(); $("help").showModal(); return; }
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key.toLowerCase(), code = e.code;
    if (e.key === "ArrowDown") { e.preventDefault(); nextUnread(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); stepList(-1); }
    else if (k === "c" || code === "KeyC") { e.preventDefault(); doAction("close"); }
    else if (k === "t" || code === "KeyT") { e.preventDefault(); if (S.current) openTransfer("transfer"); }
    else if (k === "a" || code === "KeyA") {
      e.preventDefault();
      var first = (S.lists.queue || [])[0];
      if (first) accept(first);
    }
  });

  function nextUnread() {
    var ids = (S.lists.mine || []).concat(S.lists.all || []);
    var start = Math.max(0, ids.indexOf(S.current) + 1);
    for (var i = 0; i < ids.length; i++) {
      var id = ids[(start + i) % ids.length];
      if (id !== S.current && unread(S.convs[id]) > 0) {
        if (S.tab !== "mine" && (S.lists.mine || []).indexOf(id) >= 0) selectTab("mine");
        return openConversation(id);
      }
    }
    stepList(1);
  }

  function stepList(dir) {
    var ids = S.lists[S.tab] || [];
    if (!ids.length) return;
    var i = ids.indexOf(S.current);
    openConversation(ids[(i + dir + ids.length) % ids.length]);
  }

  document.querySelectorAll(".lang-toggle").forEach(function (b) {
    b.addEventListener("click", function () {
      lang = lang === "zh" ? "en" : "zh";
      localStorage.setItem("parley.console.lang", lang);
      applyI18n();
      renderMe();
      if (!$("app").hidden) { renderList(); renderHeader(); renderVisitor(); renderLog(false); if (ADMIN_PAGES[S.page]) ADMIN_PAGES[S.page](); if (S.page === "supervisor") renderSupervisor(); }
      setConn(S.wsState);
    });
  });

  // ------------------------------------------------------------------ test / debug hook (read-only)
  window.ParleyConsole = {
    // for page modules loaded after this file (reports.js): they add a renderer to `pages`
    api: api, pages: ADMIN_PAGES, me: function () { return S.me; }, lang: function () { return lang; },
    state: function () {
      return {signedIn: !!S.auth, me: S.me, ws: S.wsState, tab: S.tab, current: S.current, page: S.page,
        lists: JSON.parse(JSON.stringify(S.lists)), notified: S.notified, notices: (S.notices || []).slice(),
        loadedLists: Object.keys(S.listLoaded), syncedAt: S.syncedAt,
        synced: S.current ? S.synced[S.current] : null,
        seqs: S.current ? Object.keys(S.msgs[S.current] || {}).map(Number).sort(function (a, b) { return a - b; }) : []};
    },
    /* for page modules (web/console/audit.js): the console's helpers, and places to plug in */
    ext: {
      api: api, t: t, el: el, clear: clear, toast: toast, report: report, fmtTime: fmtTime,
      section: section, field: field, errBox: errBox, showErr: showErr, isAdmin: function () { return isAdmin(); },
      lang: function () { return lang; },
      addStrings: function (en, zh) { Object.assign(STR.en, en); Object.assign(STR.zh, zh); applyI18n(); },
      addPage: function (name, render) { ADMIN_PAGES[name] = render; if (S.page === name && !$("app").hidden) render(); },
      addSitePanel: function (panel) { SITE_PANELS.push(panel); },
      /* inbox plug-ins: item(conv, li) list entries, header(conv, box) actions under the
         conversation's buttons, visitor(conv, panel, details) the side panel, message(msg, li,
         conv) each rendered message, event(ev) every socket event; current() the open one */
      inbox: {
        on: function (kind, fn) { INBOX_HOOKS[kind].push(fn); },
        current: function () { return S.current ? S.convs[S.current] : null; },
        details: function (cid) { return S.details[cid] || null; },
        refresh: function () { renderList(); if (S.current) { renderHeader(); renderVisitor(); renderLog(false); } }
      }
    }
  };

  // ------------------------------------------------------------------ boot
  applyI18n();
  fetch("/config.json", {cache: "no-store"}).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; })
    .then(function (c) {
      if (c && c.api) cfg.api = c.api.replace(/\/$/, "");
      if (c && c.ws) cfg.ws = c.ws;
      S.auth = loadAuth();
      if (S.auth || !tabs) return boot();
      tabs.postMessage({type: "who"});       // another tab may be signed in already
      setTimeout(boot, 400);
    });
})();
