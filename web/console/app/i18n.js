/* Parley console (i18n.js): the zh-CN / en strings, t() and the language switch.
 * One of the console's modules under web/console/app/, loaded in order by index.html; they share
 * one namespace (window.ParleyConsoleKit): each defines its functions and exports them there,
 * and calls the other modules' functions through it. */
(function (PC) {
  "use strict";
  var STR = {
    en: {
      skip: "Skip to content", signin_title: "Parley agent console", email: "Email", password: "Password",
      keep_signed_in: "Keep me signed in on this computer", signin: "Sign in", signout: "Sign out",
      page_inbox: "Inbox", page_supervisor: "Supervisor", page_agents: "Agents", page_teams: "Teams",
      page_canned: "Canned responses", page_sites: "Sites", page_kb: "Knowledge base", page_reports: "Reports", page_bot: "Bot",
      enable_notifications: "Enable notifications", online: "Online", away: "Away", offline: "Offline",
      chats: "{n} / {m} chats", tab_mine: "Mine", tab_team: "Team", tab_queue: "Queue", tab_open: "Open", tab_offline: "Messages", tab_all: "All",
      tab_closed: "Closed", search_ph: "Visitor name or email", any_channel: "Any channel", any_team: "Any team",
      any_tag: "Any tag", pick_conversation: "Pick a conversation from the list.", accept: "Accept", join: "Join", leave: "Leave", their_chats: "Chats",
      transfer: "Transfer", reassign: "Reassign", close: "Close", reopen: "Reopen",
      load_earlier: "Load earlier messages", composer_ph: "Type a reply. Enter sends, Shift+Enter adds a line, /shortcut inserts a canned response.",
      closed_ph: "This conversation is closed. Reopen it to write.", remove_tag: "Remove tag {t}",
      handoff_misses: "Bot hands off after this many misses (default 2)",
      handoff_keywords: "Phrases that go straight to a person (comma-separated)",
      load_more: "Load more", channel: "Channel", department: "Department", line_n: "Line {n}: {m}", st_new: "new", st_open: "with the bot", st_queued: "waiting",
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
      ev_overflow: "Waited too long in {from}: moved to {target}'s queue",
      ev_closed: "Conversation closed", ev_queued: "Waiting for an agent", ev_assigned: "Assigned to {agent}",
      ev_rated: "Visitor rated {score}/5", ev_reopened: "Reopened by {agent}", ev_offline: "Visitor left a message",
      ev_offline_offered_closed: "Outside business hours: the visitor was offered to leave a message",
      ev_offline_offered_no_agents: "Nobody online: the visitor was offered to leave a message",
      ev_offline_offered_timeout: "Waited too long: the visitor was offered to leave a message",
      ev_offline_offered_other: "The visitor was offered to leave a message",
      ev_handoff: "Handed to a human", ev_other: "Event: {kind}", note_badge: "Private note", bot: "Bot",
      you: "You", new_chat: "New conversation waiting", transferred_to_you: "A conversation was transferred to you", assigned_to_you: "A conversation was assigned to you", new_message: "New message", rating: "Rating",
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
      create_site: "Create a site", site_key: "Site key", kb_search: "Search questions", kb_shared: "Shared base (inherited by every site)", question: "Question",
      similar: "Similar questions (one per line)", kb_learned: "Learned from chats ({n}), used as examples: {list}", answer: "Answer", enabled: "Enabled", create_entry: "Add an entry",
      import_csv: "Import CSV", export_csv: "Export CSV", proposals: "Proposed entries (unanswered questions)",
      examples: "Examples", count: "Count", use: "Use", imported: "Imported {n} entries", edit: "Edit",
      confirm_delete: "Delete this?", error: "Error", choose_file: "CSV file",
      mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun", none: "—",
      from_site: "from {site}", unread: "{n} unread",
      aria_pages: "Pages", aria_conversations: "Conversations", aria_conversation: "Conversation",
      label_name: "Name", queue_empty: "No one is waiting.", aria_messages: "Messages", aria_reply: "Reply", aria_search: "Search", aria_tag: "Tag"
    },
    zh: {
      skip: "跳到内容", signin_title: "Parley 客服工作台", email: "邮箱", password: "密码",
      keep_signed_in: "在此电脑上保持登录", signin: "登录", signout: "退出",
      page_inbox: "会话", page_supervisor: "主管视图", page_agents: "客服", page_teams: "团队",
      page_canned: "快捷回复", page_sites: "站点", page_kb: "知识库", page_reports: "报表", page_bot: "机器人",
      enable_notifications: "开启桌面通知", online: "在线", away: "离开", offline: "离线",
      chats: "{n} / {m} 个会话", tab_mine: "我的", tab_team: "团队", tab_queue: "排队", tab_open: "机器人中", tab_offline: "留言", tab_all: "全部",
      tab_closed: "已结束", search_ph: "访客姓名或邮箱", any_channel: "全部渠道", any_team: "全部团队",
      any_tag: "全部标签", pick_conversation: "请从列表中选择一个会话。", accept: "接入", join: "加入", leave: "离开", their_chats: "会话",
      transfer: "转接", reassign: "重新分配", close: "结束", reopen: "重新打开",
      load_earlier: "加载更早的消息", composer_ph: "输入回复。回车发送,Shift+回车换行,/快捷词 插入快捷回复。",
      closed_ph: "此会话已结束。重新打开后才能回复。", remove_tag: "移除标签 {t}",
      handoff_misses: "机器人连续答不上几次后转人工(默认 2)",
      handoff_keywords: "直接转人工的关键词(逗号分隔)",
      load_more: "加载更多", channel: "渠道", department: "咨询部门", line_n: "第 {n} 行:{m}", st_new: "新会话", st_open: "机器人接待中", st_queued: "排队中",
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
      ev_overflow: "在 {from} 等待超时,已转入 {target} 的队列",
      ev_closed: "会话已结束", ev_queued: "正在等待客服", ev_assigned: "已分配给 {agent}",
      ev_rated: "访客评分 {score}/5", ev_reopened: "{agent} 重新打开了会话", ev_offline: "访客已留言",
      ev_offline_offered_closed: "非工作时间:已提示访客留言",
      ev_offline_offered_no_agents: "暂无客服在线:已提示访客留言",
      ev_offline_offered_timeout: "等待过久:已提示访客留言",
      ev_offline_offered_other: "已提示访客留言",
      ev_handoff: "已转人工", ev_other: "事件:{kind}", note_badge: "内部备注", bot: "机器人",
      you: "我", new_chat: "有新的会话在等待", transferred_to_you: "有会话转接给您", assigned_to_you: "有会话分配给您", new_message: "新消息", rating: "评分",
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
      create_site: "创建站点", site_key: "站点标识", kb_search: "搜索问题", kb_shared: "公共知识库(所有站点继承)", question: "问题",
      similar: "相似问法(每行一个)", kb_learned: "其中 {n} 条学自对话,作为例句使用:{list}", answer: "答案", enabled: "启用", create_entry: "添加条目",
      import_csv: "导入 CSV", export_csv: "导出 CSV", proposals: "建议条目(未回答的问题)",
      examples: "示例", count: "次数", use: "采用", imported: "已导入 {n} 条", edit: "编辑",
      confirm_delete: "确定删除?", error: "错误", choose_file: "CSV 文件",
      mon: "周一", tue: "周二", wed: "周三", thu: "周四", fri: "周五", sat: "周六", sun: "周日", none: "—",
      from_site: "来自 {site}", unread: "{n} 条未读",
      aria_pages: "页面", aria_conversations: "会话列表", aria_conversation: "会话",
      label_name: "名称", queue_empty: "当前无人排队。", aria_messages: "消息", aria_reply: "回复", aria_search: "搜索", aria_tag: "标签"
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
    document.querySelectorAll("[data-i18n-aria]").forEach(function (n) { n.setAttribute("aria-label", t(n.getAttribute("data-i18n-aria"))); });
    document.querySelectorAll(".lang-toggle").forEach(function (b) { b.textContent = lang === "zh" ? "English" : "中文"; });
  }

  function getLang() { return lang; }
  function setLang(v) { lang = v; }

  Object.assign(PC, {
    STR: STR,
    lang: lang,
    statusLabel: statusLabel,
    t: t,
    applyI18n: applyI18n,
    getLang: getLang,
    setLang: setLang
  });
})(window.ParleyConsoleKit = window.ParleyConsoleKit || {});
