/*! Parley chat widget. One script tag:
 *  <script async src="https://host/widget/parley.js" data-site-key="KEY"></script>
 * Optional: data-api, data-ws, data-locale. See docs/widget.md. No globals except window.Parley. */
(function () {
  'use strict';
  var W = window, D = document;
  var prev = W.Parley;
  if (prev && prev._parley) return;
  var script = D.currentScript || D.querySelector('script[data-site-key][src*="parley"]');
  if (!script) return;
  var t0 = W.performance ? performance.now() : 0;
  var src = new URL(script.src, location.href);
  var ds = script.dataset;
  var SITE = ds.siteKey || 'default';
  var NS = 'parley:' + SITE + ':';
  var MAX_BYTES = 10 * 1024 * 1024;
  var TYPES = {
    'image/png': 'png', 'image/jpeg': 'jpg jpeg', 'image/gif': 'gif', 'image/webp': 'webp',
    'application/pdf': 'pdf', 'text/plain': 'txt', 'text/csv': 'csv', 'application/zip': 'zip',
    'application/msword': 'doc',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
    'application/vnd.ms-excel': 'xls',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx'
  };

  // -- strings (en / zh)
  var L = {
    en: {
      open: 'Open chat', close: 'Close chat', title: 'Chat with us', send: 'Send',
      placeholder: 'Type a message…', attach: 'Attach a file', online: 'Online',
      reconnecting: 'Reconnecting…', offline: 'Offline', connecting: 'Connecting…',
      seen: 'Seen', sending: 'Sending…', failed: 'Not sent, retrying', typing: '{n} is typing…',
      agent: 'Agent', human: 'Talk to a human', queue: 'You are number {p} in the queue', queueNext: 'You are next in line',
      wait: 'about {m} min', joined: '{n} joined the chat', left: '{n} left the chat',
      transferred: 'You were transferred to {n}', closed: 'The chat was closed',
      overflow: 'Moved to another team, keeping your place in line.',
      queued: 'Waiting for an agent…', assigned: '{n} will help you',
      rate: 'How was this chat?', comment: 'Comment (optional)', submit: 'Submit',
      thanks: 'Thank you for your feedback!', newchat: 'Start a new chat',
      leave: 'No one is available right now. Leave a message and we will email you.',
      closedLeave: 'We are closed right now. Leave a message and we will email you.', hours: 'Opening hours: {h}',
      days: 'Mon Tue Wed Thu Fri Sat Sun',
      name: 'Name', email: 'Email', message: 'Message', sent: 'Message received. We will reply by email.',
      prechat: 'Please introduce yourself', start: 'Start chat', earlier: 'Earlier messages',
      tooBig: '"{f}" is larger than 10 MB.', badType: '"{f}" cannot be sent: only images, PDF, text, CSV, ZIP, Word and Excel files.',
      uploadFail: 'The file could not be uploaded.', required: 'Please fill in {f}.',
      error: 'Something went wrong. Please try again.', drop: 'Drop a file to send it',
      newmsg: 'New message', star: '{n} of 5', bot: 'Assistant', phone: 'Phone', company: 'Company',
      helpful: 'Was this helpful?', yes: 'Yes', no: 'No', thanks_fb: 'Thanks for your feedback',
      requests: 'Your requests ({n})', st_new: 'Received', st_open: 'In progress', st_pending: 'Waiting for you',
      st_on_hold: 'On hold', st_solved: 'Solved', st_closed: 'Closed', noReplies: 'No reply yet.'
    },
    zh: {
      open: '打开在线客服', close: '关闭', title: '在线客服', send: '发送',
      placeholder: '请输入消息…', attach: '发送文件', online: '在线',
      reconnecting: '正在重新连接…', offline: '已离线', connecting: '正在连接…',
      seen: '已读', sending: '发送中…', failed: '未发送,正在重试', typing: '{n} 正在输入…',
      agent: '客服', human: '转人工客服', queue: '您前面还有 {n} 位', queueNext: '下一位就是您', wait: '预计 {m} 分钟',
      joined: '{n} 已加入对话', left: '{n} 已离开对话', transferred: '已为您转接给 {n}',
      overflow: '已转到其他团队排队,顺序不变。',
      closed: '对话已结束', queued: '正在为您转接客服…', assigned: '{n} 为您服务',
      rate: '请为本次服务评分', comment: '留言(可选)', submit: '提交', thanks: '感谢您的评价!',
      newchat: '开始新对话', leave: '当前没有客服在线,请留言,我们会通过邮件回复您。',
      closedLeave: '现在不在服务时间,请留言,我们会通过邮件回复您。', hours: '服务时间:{h}',
      days: '周一 周二 周三 周四 周五 周六 周日',
      name: '姓名', email: '邮箱', message: '留言内容', sent: '留言已收到,我们会通过邮件回复您。',
      prechat: '请先填写您的信息', start: '开始咨询', earlier: '查看更早的消息',
      tooBig: '"{f}" 超过 10 MB。', badType: '"{f}" 无法发送:仅支持图片、PDF、文本、CSV、ZIP、Word 和 Excel 文件。',
      uploadFail: '文件上传失败。', required: '请填写{f}。', error: '出错了,请重试。',
      drop: '松开即可发送文件', newmsg: '新消息', star: '{n} 星', bot: '智能助手', phone: '电话', company: '公司',
      helpful: '这个回答有帮助吗?', yes: '有帮助', no: '没帮助', thanks_fb: '感谢您的反馈',
      requests: '您的工单({n})', st_new: '已受理', st_open: '处理中', st_pending: '等待您的回复',
      st_on_hold: '已挂起', st_solved: '已解决', st_closed: '已关闭', noReplies: '暂无回复。'
    }
  };
  function pickLocale(v) { return /^zh/i.test(v || '') ? 'zh' : 'en'; }
  var locale = pickLocale(ds.locale || D.documentElement.lang || navigator.language);
  function t(k, vars) {
    var s = (L[locale] || L.en)[k] || L.en[k] || k;
    return s.replace(/\{(\w+)\}/g, function (_, n) { return vars && vars[n] != null ? vars[n] : ''; });
  }

  // -- small helpers
  var store = {
    get: function (k, d) { try { var v = localStorage.getItem(NS + k); return v == null ? d : JSON.parse(v); } catch (e) { return d; } },
    set: function (k, v) { try { localStorage.setItem(NS + k, JSON.stringify(v)); } catch (e) { /* private mode */ } },
    del: function (k) { try { localStorage.removeItem(NS + k); } catch (e) { /* ignore */ } }
  };
  function uid(p) {
    var a = new Uint8Array(12); crypto.getRandomValues(a);
    return p + Array.prototype.map.call(a, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }
  function el(tag, cls, text, attrs) {
    var e = D.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function delay(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function backoff(n) { return Math.min(30000, 500 * Math.pow(2, n)) * (0.5 + Math.random() / 2); }
  function initials(name) {
    var p = String(name || '?').trim().split(/\s+/);
    return ((p[0] || '?')[0] + (p.length > 1 ? p[p.length - 1][0] : '')).toUpperCase();
  }
  function fmtSize(n) { return n > 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.ceil(n / 1024) + ' KB'; }
  function fileType(f) {
    if (f.type && TYPES[f.type]) return f.type;
    var ext = (f.name.split('.').pop() || '').toLowerCase();
    for (var k in TYPES) if (TYPES[k].split(' ').indexOf(ext) >= 0) return k;
    return null;
  }
  // Text with http(s) links made clickable, built with DOM nodes only (never innerHTML).
  function linkify(parent, text) {
    var re = /\bhttps?:\/\/[^\s<>"']+/gi, last = 0, m;
    while ((m = re.exec(text))) {
      var url = m[0].replace(/[.,;:!?\]]+$/, '');
      // a trailing ')' belongs to the link only when it closes a '(' inside it:
      // "(see https://x.example/a)" vs "https://en.wikipedia.org/wiki/Fish_(food)"
      while (/\)$/.test(url) && url.split(')').length > url.split('(').length) url = url.slice(0, -1).replace(/[.,;:!?\]]+$/, '');
      if (m.index > last) parent.appendChild(D.createTextNode(text.slice(last, m.index)));
      var a = el('a', null, url, { href: url, target: '_blank', rel: 'noopener noreferrer' });
      try { if (!/^https?:$/.test(new URL(url).protocol)) a = D.createTextNode(url); } catch (e) { a = D.createTextNode(url); }
      parent.appendChild(a);
      last = m.index + url.length; re.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(D.createTextNode(text.slice(last)));
  }

  // -- events (Parley.on)
  var handlers = {};
  function emit(name, data) {
    (handlers[name] || []).slice().forEach(function (fn) { try { fn(data); } catch (e) { console.warn('Parley handler', e); } });
  }

  // -- state
  var cfg = { api: ds.api, ws: ds.ws };
  var site = {}, session = null, conv = {}, token = store.get('token');
  var msgs = {};            // seq -> message
  var nodes = {};           // seq or client id -> element
  var lastSeq = 0, rev = null, placeAt = 0, firstSeq = null, hasMore = false;
  // Catch-up marker (docs/websocket-protocol.md, "Catch-up"): every seq up to `synced` is
  // held, or was examined for us by the server (a reply's cursor passed it: a private note
  // is a seq the visitor never gets). Sync always starts here, never at the highest seq held.
  var synced = 0, syncAfter = {}, syncN = 0, gapTimer = null;
  var outbox = store.get('outbox', []);
  var isOpen = false, ready = false, unread = 0, interacted = false, audio = null;
  var connState = 'connecting', transport = 'ws';
  var seenSeq = 0, readSent = 0, agentTyping = null;
  var attrsPending = null;
  var ui = {};
  var channel = W.BroadcastChannel ? new BroadcastChannel(NS) : null;
  var baseTitle = D.title, titleTimer = null;

  // -- REST
  function api(method, path, body, opts) {
    opts = opts || {};
    var h = { 'Content-Type': 'application/json' };
    var tok = opts.token === undefined ? token : opts.token;
    if (tok) h.Authorization = 'Bearer ' + tok;
    return fetch(cfg.api + path, {
      method: method, headers: h, body: body ? JSON.stringify(body) : undefined,
      signal: opts.signal, credentials: 'omit', cache: 'no-store'
    }).then(function (r) {
      return r.text().then(function (txt) {
        var data = null;
        try { data = txt ? JSON.parse(txt) : null; } catch (e) { data = null; }
        if (!r.ok) {
          var err = new Error((data && data.error && data.error.message) || ('HTTP ' + r.status));
          err.status = r.status; err.code = data && data.error && data.error.code;
          if (r.status === 401 && !opts.noRenew) renewSoon();
          throw err;
        }
        return data;
      });
    });
  }
  function convPath(p) { return '/visitor/conversations/' + encodeURIComponent(session.conversation_id) + p; }

  // -- session
  function openSession(extra, strict) {
    var body = {
      site_key: SITE, locale: locale, page_url: location.href.slice(0, 2000),
      referrer: (D.referrer || '').slice(0, 2000) || null, user_agent: navigator.userAgent.slice(0, 500)
    };
    var ident = store.get('identity');
    if (ident) body.identity = ident;
    for (var k in extra || {}) body[k] = extra[k];
    return api('POST', '/visitor/sessions', body, { noRenew: true }).catch(function (e) {
      if (e.status === 401 && body.identity && !strict) { store.del('identity'); delete body.identity; return api('POST', '/visitor/sessions', body, { noRenew: true }); }
      throw e;
    }).then(function (s) {
      var changed = !session || s.conversation_id !== session.conversation_id;
      session = s; token = s.token; store.set('token', token);
      if (changed) resetConversation();
      setConv(s.conversation);
      return s;
    });
  }
  var renewing = null;
  function renewSoon() {
    if (renewing) return renewing;
    renewing = openSession().then(function () { renewing = null; restartTransport(); },
      function () { renewing = null; });
    return renewing;
  }
  function resetConversation() {
    msgs = {}; nodes = {}; lastSeq = 0; rev = null; firstSeq = null; seenSeq = 0; readSent = 0;
    synced = 0; syncAfter = {};
    if (ui.log) { ui.log.textContent = ''; addGreeting(); }
  }

  // -- conversation state
  function dropOffline() { if (ready && ui.extra && ui.extra.querySelector('.p-offline')) ui.extra.textContent = ''; }  // an agent is in
  function setConv(c) {
    if (!c || c.rev < rev) return;     // a late push of an older state
    // a place stored before the one shown stays out (a state read before a newer run)
    var at = c.queue_position_at || 0, old = c.queue_position > 0 && at < placeAt;
    if (c.queue_position > 0 && !old) placeAt = at;
    var wasClosed = conv.status === 'closed';
    for (var k in c) if (!old || !/^(queue_pos|estimated_w)/.test(k)) conv[k] = c[k];
    if (c.rev != null && (rev == null || c.rev > rev)) rev = c.rev;
    if (c.agent) conv.agentInfo = c.agent;
    if (c.agent_id === null && !c.agent) conv.agentInfo = null;   // a joined (not assigned) agent still answers
    if (c.reads) for (var r in c.reads) if (r !== 'visitor' && c.reads[r] > seenSeq) seenSeq = c.reads[r];
    if (c.typing) {
      var other = c.typing.filter(function (p) { return p !== 'visitor'; });
      showTyping(other.length ? (conv.agentInfo && conv.agentInfo.name) || t('agent') : null);
    }
    if (c.status === 'closed' && !wasClosed && ready) showRating();
    if (ready && wasClosed && conv.status !== 'closed' && ui.extra) ui.extra.textContent = '';  // reopened: no rating form
    if (conv.status === 'assigned') dropOffline();
    if (ready && c.offline_offered) showOfflineForm();
    renderHeader(); renderSeen();
    emit('conversation', conv);
  }

  function onMessage(m) {
    if (!m || m.seq == null) return;
    if (session && m.conversation_id && m.conversation_id !== session.conversation_id) return;
    if (msgs[m.seq]) return;
    msgs[m.seq] = m;
    if (m.seq > lastSeq) lastSeq = m.seq;
    fillUp();
    if (firstSeq == null || m.seq < firstSeq) firstSeq = m.seq;
    if (m.client_message_id) dropOutbox(m.client_message_id);
    var ev = m.event || {};
    if (m.type === 'event') {
      if (/^(joined|assigned|transferred|reopened)$/.test(ev.kind) && ev.reason !== 'overflow') {
        var nm = ev.agent_name || ev.to_agent_name || ev.name;
        if (nm) { conv.agentInfo = { id: ev.agent_id || ev.to_agent_id, name: nm, avatar_url: ev.avatar_url || ev.agent_avatar }; dropOffline(); }
        conv.queue_position = null;
      }
      if (ev.kind === 'left' && conv.agentInfo && conv.agentInfo.id === ev.agent_id && conv.status !== 'assigned') conv.agentInfo = null;
      if (ev.kind === 'closed' && conv.status !== 'closed') { conv.status = 'closed'; if (ready) showRating(); }
      // outside business hours, nobody online, or waited longer than the site allows:
      // offer to leave a message (the visitor keeps their place in line meanwhile)
      if (ev.kind === 'offline' && ev.reason !== 'left_message' && ready && /^(new|open|queued)$/.test(conv.status)) showOfflineForm(ev.reason);
      renderHeader();
    }
    render(m);
    if (m.sender && m.sender.type !== 'visitor' && m.type !== 'event') {
      showTyping(null);
      if (ready && (!isOpen || D.hidden)) { unread++; notify(); }
    }
    if (channel) channel.postMessage({ m: m });
    emit('message', m);
    markRead();
    checkGap();
  }

  // A message arriving alone (push, ack, REST reply, another tab) closes no gap below it:
  // only the next seq moves the marker, or a reply that examined everything from it.
  function fillUp() { while (msgs[synced + 1]) synced++; }
  function examined(after, cursor) {
    if (after != null && after <= synced && cursor > synced) synced = cursor;
    fillUp();
  }
  // The latest page (no after/before): it examined first_seq..cursor; it joins what we hold
  // when it starts at or below the marker's next seq (or when we hold nothing yet).
  function examinedTail(r) {
    if (r.cursor != null && (!synced || r.first_seq == null || r.first_seq <= synced + 1)) examined(synced, r.cursor);
  }
  // gap: a sync on a live socket, for messages only (conversation events keep the state
  // current; a reply read before a later typing event must not undo it)
  function syncFrom(after, gap) {
    var id = (gap ? 'gap-' : 'sync-') + (++syncN);
    syncAfter[id] = after;
    if (wsSend({ action: 'sync', id: id, data: { after: after } })) return true;
    delete syncAfter[id];
    return false;
  }
  // Over the socket a seq missing below a push (another writer's push still on its way, or
  // a seq we may not see) is asked for once things settle; a poll asks from `synced` anyway.
  function checkGap() {
    if (lastSeq <= synced || gapTimer || transport !== 'ws') return;
    gapTimer = setTimeout(function () { gapTimer = null; if (lastSeq > synced) syncFrom(synced, true); }, 1500);
  }

  // -- outbox (survives reloads)
  function saveOutbox() { store.set('outbox', outbox); }
  function dropOutbox(cmid) {
    var n = outbox.length;
    outbox = outbox.filter(function (o) { return o.client_message_id !== cmid; });
    if (n !== outbox.length) saveOutbox();
    var p = nodes[cmid]; if (p && p.parentNode) p.parentNode.removeChild(p); delete nodes[cmid];
  }
  function queueSend(data) {
    data.client_message_id = uid('w');
    data.cid = session && session.conversation_id;
    outbox.push(data); saveOutbox();
    renderPending(data);
    flush();
  }
  var flushing = false;
  function flush() {
    if (flushing || connState !== 'online' || !session) return;
    var item = outbox.filter(function (o) { return !o.cid || o.cid === session.conversation_id; })[0];
    if (!item) { outbox = outbox.filter(function (o) { return o.cid === session.conversation_id; }); saveOutbox(); return; }
    flushing = true;
    var data = { client_message_id: item.client_message_id };
    if (item.text) data.text = item.text;
    if (item.attachment) data.attachment = item.attachment;
    sendOne(data).then(function (res) {
      flushing = false;
      dropOutbox(item.client_message_id);
      if (res && res.message) onMessage(res.message);
      flush();
    }, function (e) {
      flushing = false;
      if (e && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 408 && e.status !== 429) {
        dropOutbox(item.client_message_id); showError(e.message); flush();
      } else {
        var p = nodes[item.client_message_id];
        if (p) p.classList.add('p-retry');
        setTimeout(flush, 2000);
      }
    });
  }

  // -- transport
  // WebSocket first; after 3 failed attempts, long-poll (send/typing/read over REST).
  var ws = null, wsFails = 0, wsRetry = 0, wsTimer = null, pingTimer = null, lifeTimer = null;
  var pending = {}, pollAbort = null, pollGen = 0;

  function setState(s) {
    if (s === connState) return;
    connState = s;
    if (ui.status) {
      ui.status.textContent = t(s);
      ui.root.setAttribute('data-conn', s);
    }
    emit('connection', { state: s, transport: transport });
    if (s === 'online') flush();
  }
  function startTransport() {
    if (!navigator.onLine) { setState('offline'); return; }
    if (transport === 'ws' && cfg.ws) openSocket(); else startPolling();
  }
  function stopTransport() {
    clearTimeout(wsTimer); clearInterval(pingTimer); clearTimeout(lifeTimer);
    retire();
    if (ws) { var s = ws; ws = null; s.onclose = s.onerror = s.onmessage = null; try { s.close(); } catch (e) { /* closed */ } }
    for (var id in pending) pending[id].reject(new Error('disconnected'));
    pending = {};
    pollGen++; if (pollAbort) pollAbort.abort(); pollAbort = null;
  }
  function restartTransport() { stopTransport(); startTransport(); }

  // Proactive renewal opens the new socket, then closes the old one (messages dedupe by seq)
  var oldWs = null;
  function retire() {
    var o = oldWs; oldWs = null;
    if (o) { o.onclose = o.onerror = o.onmessage = null; try { o.close(1000); } catch (e) { /* closed */ } }
  }
  function openSocket(old) {
    var opened = false, s;
    retire();
    if (!old) setState(wsRetry ? 'reconnecting' : 'connecting');
    try { s = new WebSocket(cfg.ws + (cfg.ws.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(token)); } catch (e) { return old || socketFailed(false); }
    ws = s; oldWs = old || null;
    // closing a socket that never opened fires its close event: onclose counts the failure
    var openTimer = setTimeout(function () { if (!opened && ws === s) s.close(); }, 8000);
    s.onopen = function () {
      if (ws !== s) return;
      opened = true; clearTimeout(openTimer); wsRetry = 0;
      s.openedAt = Date.now();
      syncFrom(synced);
      retire();
      // API Gateway: idle timeout 10 min (ping every 4), connection life 2 h (renew at 110 min).
      clearInterval(pingTimer); clearTimeout(lifeTimer);
      pingTimer = setInterval(function () {
        // no pong: the connection is dead; a close handshake on it could hang, so drop it now
        var waitPong = setTimeout(function () { if (ws === s) { stopTransport(); socketFailed(true); } }, 10000);
        pending.ping = { resolve: function () { clearTimeout(waitPong); }, reject: function () { clearTimeout(waitPong); } };
        wsSend({ action: 'ping' });
      }, 240000);
      lifeTimer = setTimeout(function () { if (ws === s) openSocket(s); }, 110 * 60000);
    };
    s.onmessage = function (e) { var f; try { f = JSON.parse(e.data); } catch (x) { return; } onFrame(f); };
    s.onerror = function () { /* onclose follows */ };
    s.onclose = function () {
      clearTimeout(openTimer);
      if (ws !== s) return;
      var short = opened && Date.now() - s.openedAt < 5000;
      stopTransport();
      socketFailed(opened && !short);
    };
  }
  function socketFailed(wasHealthy) {
    if (!wasHealthy) wsFails++; else wsFails = 0;
    if (wsFails >= 3) { transport = 'poll'; emit('connection', { state: connState, transport: transport }); return startPolling(); }
    if (!navigator.onLine) return setState('offline');
    setState('reconnecting');
    clearTimeout(wsTimer);
    wsTimer = setTimeout(function () { openSocket(); }, backoff(wsRetry++));
  }
  function wsSend(f) {
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(f)); return true;
  }
  function onFrame(f) {
    var p = f.id && pending[f.id];
    switch (f.type) {
      case 'message': onMessage(f.message); break;
      case 'ack': if (p) { delete pending[f.id]; p.resolve(f); } break;
      case 'pong': if (pending.ping) { pending.ping.resolve(); delete pending.ping; } break;
      case 'sync':
        var gap = /^gap-/.test(f.id || '');
        (f.messages || []).forEach(onMessage);
        if (!gap) setConv(f.conversation);
        examined(syncAfter[f.id], f.cursor);
        delete syncAfter[f.id];
        if (f.cursor > lastSeq) lastSeq = f.cursor;
        if (f.has_more) syncFrom(f.cursor, gap);
        else setState('online');
        break;
      case 'typing': if (f.sender && f.sender.type !== 'visitor') showTyping(f.state ? f.sender.name || t('agent') : null); break;
      case 'read': if (f.reader && f.reader.type !== 'visitor' && f.seq > seenSeq) { seenSeq = f.seq; renderSeen(); } break;
      case 'conversation': setConv(f.conversation); break;
      case 'queue': setConv({ queue_position: f.position, estimated_wait: f.estimated_wait, queue_position_at: f.at }); break;
      case 'error':
        if (p) { delete pending[f.id]; var e = new Error(f.message); e.status = /not_?found|invalid|too|empty|unsupported|closed/.test(f.code || '') ? 400 : 500; e.code = f.code; p.reject(e); }
        else if (f.id in syncAfter) { delete syncAfter[f.id]; setState('online'); }
        break;
    }
  }
  function sendOne(data) {
    if (transport === 'ws' && ws && ws.readyState === 1) {
      return new Promise(function (resolve, reject) {
        var id = data.client_message_id;
        var timer = setTimeout(function () { delete pending[id]; reject(new Error('timeout')); }, 10000);
        pending[id] = { resolve: function (v) { clearTimeout(timer); resolve(v); }, reject: function (e) { clearTimeout(timer); reject(e); } };
        wsSend({ action: 'send', id: id, data: data });
      });
    }
    return api('POST', convPath('/messages'), data);
  }
  function sendSignal(action, data) {
    if (!session || conv.status === 'closed') return;
    if (transport === 'ws' && wsSend({ action: action, data: data })) return;
    if (connState === 'online') api('POST', convPath('/' + action), data).catch(function () { /* best effort */ });
  }

  function startPolling() {
    var gen = ++pollGen, fails = 0;
    if (connState !== 'online') setState(connState === 'connecting' ? 'connecting' : 'reconnecting');
    (function loop() {
      if (gen !== pollGen) return;
      if (!navigator.onLine) return setState('offline');
      pollAbort = new AbortController();
      var timer = setTimeout(function () { if (pollAbort) pollAbort.abort(); }, 35000);
      var after = synced;
      var q = '?after=' + after + (rev != null ? '&rev=' + rev : '') + '&wait=' + (connState === 'online' ? 20 : 0);
      api('GET', convPath('/poll' + q), null, { signal: pollAbort.signal }).then(function (r) {
        clearTimeout(timer);
        if (gen !== pollGen) return;
        fails = 0;
        (r.messages || []).forEach(onMessage);
        examined(after, r.cursor);
        if (r.cursor > lastSeq) lastSeq = r.cursor;
        if (r.rev != null) r.conversation.rev = r.rev;
        setConv(r.conversation);
        setState('online');
        loop();
      }, function (e) {
        clearTimeout(timer);
        if (gen !== pollGen) return;
        setState(navigator.onLine ? 'reconnecting' : 'offline');
        if (e.status === 403 || e.status === 404) return renewSoon();
        setTimeout(loop, backoff(fails++));
      });
    })();
  }

  W.addEventListener('offline', function () { stopTransport(); setState('offline'); });
  W.addEventListener('online', function () { if (session) { wsRetry = 0; restartTransport(); } });

  // -- typing and reads
  var typingOn = false, typingSent = 0, typingStop = null;
  function localTyping() {
    var now = Date.now();
    if (!typingOn || now - typingSent > 3000) { typingOn = true; typingSent = now; sendSignal('typing', { state: true }); }
    clearTimeout(typingStop);
    typingStop = setTimeout(stopTyping, 4000);
  }
  function stopTyping() {
    clearTimeout(typingStop);
    if (typingOn) { typingOn = false; sendSignal('typing', { state: false }); }
  }
  function markRead() {
    if (!isOpen || D.hidden || !lastSeq || lastSeq <= readSent) return;
    readSent = lastSeq;
    sendSignal('read', { seq: lastSeq });
    clearUnread();
    if (channel) channel.postMessage({ read: lastSeq });
  }
  function clearUnread() { unread = 0; renderBadge(); stopTitle(); }

  // -- notifications
  // Badge and title always; the beep only once the visitor has interacted with the page
  function notify() {
    renderBadge();
    emit('unread', unread);
    // each new message restarts the blink: "New message" shows first, then the page's title
    if (titleTimer) clearInterval(titleTimer);
    else baseTitle = D.title;
    var flip = true;
    titleTimer = setInterval(function () {
      flip = !flip;
      D.title = '(' + unread + ') ' + (flip ? t('newmsg') : baseTitle);
    }, 1200);
    D.title = '(' + unread + ') ' + t('newmsg');
    if (!interacted) return;
    try {
      audio = audio || new (W.AudioContext || W.webkitAudioContext)();
      if (audio.state === 'suspended') audio.resume();
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880; g.gain.value = 0.05;
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.15);
    } catch (e) { /* no audio */ }
  }
  function stopTitle() { if (titleTimer) { clearInterval(titleTimer); titleTimer = null; D.title = baseTitle; } }
  ['pointerdown', 'keydown'].forEach(function (n) { W.addEventListener(n, function () { interacted = true; }, { once: true, capture: true }); });
  D.addEventListener('visibilitychange', function () { if (!D.hidden) markRead(); });

  // -- UI
  function build() {
    var host = el('div', null, null, { id: 'parley-widget' });
    var root = host.attachShadow({ mode: 'open' });
    var link = el('link', null, null, { rel: 'stylesheet', href: new URL('parley.css', src).href });
    root.appendChild(link);
    var box = el('div', 'p-root p-' + (site.position === 'left' ? 'left' : 'right'));
    box.hidden = true;
    if (/^#[0-9a-f]{3,8}$/i.test(site.color || '')) box.style.setProperty('--p-color', site.color);
    root.appendChild(box);

    var launcher = el('button', 'p-launcher', null, { type: 'button', 'aria-label': t('open'), 'aria-expanded': 'false', 'aria-controls': 'p-panel' });
    launcher.appendChild(el('span', 'p-launcher-icon', null, { 'aria-hidden': 'true' }));
    var badge = el('span', 'p-badge', null, { 'aria-live': 'polite' }); badge.hidden = true;
    launcher.appendChild(badge);

    var panel = el('div', 'p-panel', null, { id: 'p-panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'p-title' });
    panel.hidden = true;
    var head = el('div', 'p-head');
    var avatar = el('span', 'p-avatar', null, { 'aria-hidden': 'true' });
    var who = el('div', 'p-who');
    var title = el('div', 'p-title', site.title || site.name || t('title'), { id: 'p-title' });
    var status = el('div', 'p-status', t(connState), { role: 'status' });
    who.appendChild(title); who.appendChild(status);
    var human = el('button', 'p-human', t('human'), { type: 'button' });
    var closeBtn = el('button', 'p-close', '×', { type: 'button', 'aria-label': t('close') });
    head.appendChild(avatar); head.appendChild(who); head.appendChild(human); head.appendChild(closeBtn);
    var queue = el('div', 'p-queue', null, { role: 'status' }); queue.hidden = true;
    var log = el('div', 'p-log', null, { role: 'log', 'aria-live': 'polite', 'aria-label': t('title'), tabindex: '0' });
    var typing = el('div', 'p-typing', null, { 'aria-live': 'polite' }); typing.hidden = true;
    var error = el('div', 'p-error', null, { role: 'alert' }); error.hidden = true;
    var extra = el('div', 'p-extra');
    var form = el('form', 'p-compose');
    var file = el('input', null, null, { type: 'file', accept: Object.keys(TYPES).join(','), hidden: '', tabindex: '-1', 'aria-hidden': 'true' });
    var attach = el('button', 'p-attach', null, { type: 'button', 'aria-label': t('attach'), title: t('attach') });
    var input = el('textarea', 'p-input', null, { rows: '1', 'aria-label': t('placeholder'), placeholder: t('placeholder'), maxlength: '4000' });
    var sendBtn = el('button', 'p-send', t('send'), { type: 'submit' });
    form.appendChild(file); form.appendChild(attach); form.appendChild(input); form.appendChild(sendBtn);
    var tickets = el('details', 'p-tickets'); tickets.hidden = true;
    [head, queue, tickets, log, typing, error, extra, form].forEach(function (n) { panel.appendChild(n); });
    var dropzone = el('div', 'p-drop', t('drop')); dropzone.hidden = true; panel.appendChild(dropzone);
    box.appendChild(panel); box.appendChild(launcher);
    ui = { host: host, root: box, launcher: launcher, badge: badge, panel: panel, avatar: avatar, title: title,
      status: status, human: human, queue: queue, tickets: tickets, log: log, typing: typing, error: error, extra: extra,
      form: form, input: input, file: file, send: sendBtn, shadow: root };
    box.setAttribute('data-conn', connState);

    launcher.addEventListener('click', function () { toggle(); });
    closeBtn.addEventListener('click', function () { close(); });
    panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') { e.preventDefault(); close(); } });
    form.addEventListener('submit', function (e) { e.preventDefault(); submitText(); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submitText(); }
    });
    input.addEventListener('input', function () { if (input.value) localTyping(); else stopTyping(); });
    attach.addEventListener('click', function () { file.click(); });
    file.addEventListener('change', function () { Array.prototype.forEach.call(file.files, upload); file.value = ''; });
    input.addEventListener('paste', function (e) {
      var files = e.clipboardData && e.clipboardData.files;
      if (files && files.length) { e.preventDefault(); Array.prototype.forEach.call(files, upload); }
    });
    var depth = 0;
    panel.addEventListener('dragenter', function (e) { e.preventDefault(); depth++; dropzone.hidden = false; });
    panel.addEventListener('dragover', function (e) { e.preventDefault(); });
    panel.addEventListener('dragleave', function () { if (--depth <= 0) { depth = 0; dropzone.hidden = true; } });
    panel.addEventListener('drop', function (e) {
      e.preventDefault(); depth = 0; dropzone.hidden = true;
      Array.prototype.forEach.call((e.dataTransfer && e.dataTransfer.files) || [], upload);
    });
    human.addEventListener('click', handoff);
    (D.body || D.documentElement).appendChild(host);
    addGreeting();
    return new Promise(function (resolve) {
      link.addEventListener('load', resolve); link.addEventListener('error', resolve);
      setTimeout(resolve, 3000);
    }).then(function () { box.hidden = false; });
  }

  function addGreeting() {
    var g = site.greeting || {};
    var text = typeof g === 'string' ? g : g[locale] || g.en;
    if (!text || !ui.log) return;
    var row = el('div', 'p-msg p-them p-greeting');
    row.appendChild(el('div', 'p-bubble', text));
    ui.log.insertBefore(row, ui.log.firstChild);
    if (hasMore) earlierButton();
  }

  function earlierButton() {
    if (ui.log.querySelector('.p-earlier')) return;
    var b = el('button', 'p-earlier', t('earlier'), { type: 'button' });
    b.addEventListener('click', function () {
      b.disabled = true;
      api('GET', convPath('/messages?before=' + (firstSeq || lastSeq + 1) + '&limit=50')).then(function (r) {
        b.parentNode && b.parentNode.removeChild(b);
        hasMore = r.has_more;
        r.messages.forEach(onMessage);
        if (hasMore) earlierButton();
      }, function () { b.disabled = false; });
    });
    ui.log.insertBefore(b, ui.log.firstChild);
  }

  function renderHeader() {
    if (!ui.title) return;
    var a = conv.agentInfo;
    ui.avatar.textContent = '';
    if (a && a.avatar_url && /^https?:/.test(a.avatar_url)) ui.avatar.appendChild(el('img', null, null, { src: a.avatar_url, alt: '' }));
    else ui.avatar.textContent = initials(a ? a.name : site.name || 'P');
    ui.title.textContent = a ? a.name : site.title || site.name || t('title');
    ui.human.hidden = !!a || !site.bot_enabled || conv.status === 'closed' || conv.status === 'queued';
    var qp = conv.queue_position;
    ui.queue.hidden = !(qp > 0) || !!a || conv.status === 'closed';
    if (qp > 0) {
      var w = conv.estimated_wait;
      ui.queue.textContent = (qp === 1 ? t('queueNext') : t('queue', { p: qp, n: qp - 1 })) + (w > 0 ? ' · ' + t('wait', { m: Math.max(1, Math.round(w / 60)) }) : '');
    }
    var closed = conv.status === 'closed';
    ui.input.disabled = ui.send.disabled = closed;
  }
  function renderBadge() {
    if (!ui.badge) return;
    ui.badge.hidden = !unread;
    ui.badge.textContent = unread > 9 ? '9+' : String(unread);
    ui.launcher.setAttribute('aria-label', t('open') + (unread ? ' (' + unread + ')' : ''));
  }
  function showTyping(name) {
    agentTyping = name;
    if (!ui.typing) return;
    ui.typing.hidden = !name;
    ui.typing.textContent = name ? t('typing', { n: name }) : '';
  }
  function showError(msg) {
    if (!ui.error) return;
    ui.error.textContent = msg; ui.error.hidden = false;
    clearTimeout(ui.errTimer);
    ui.errTimer = setTimeout(function () { ui.error.hidden = true; }, 6000);
  }
  function scrollDown() { if (ui.log) ui.log.scrollTop = ui.log.scrollHeight; }

  function eventText(m) {
    var e = m.event || {}, n = e.agent_name || e.to_agent_name || e.name || t('agent');
    var map = { joined: 'joined', reopened: 'joined', left: 'left', transferred: 'transferred', closed: 'closed', queued: 'queued', assigned: 'assigned' };
    if (e.kind === 'transferred' && e.reason === 'overflow') return t('overflow');
    // rated (its text is the visitor's own comment) and offline (the form says it): no note
    return map[e.kind] ? t(map[e.kind], { n: n }) : /^(rated|offline)$/.test(e.kind) ? '' : m.text || '';
  }

  function bubble(m) {
    var mine = m.sender && m.sender.type === 'visitor';
    var row = el('div', 'p-msg ' + (m.type === 'event' ? 'p-event' : mine ? 'p-me' : 'p-them'));
    if (m.type === 'event') { var tx = eventText(m); row.hidden = !tx; row.appendChild(el('div', 'p-note', tx)); return row; }
    if (!mine && m.sender) row.appendChild(el('div', 'p-name', m.sender.type === 'bot' ? t('bot') : m.sender.name || t('agent')));
    var b = el('div', 'p-bubble');
    if (m.type === 'form') withForm(function (F) { F.msg(m, b, msgs); });
    if (m.text) linkify(b, m.text);
    var att = m.attachment;
    if (att) {
      var isImg = /^image\//.test(att.content_type || '') && att.url;
      var a = el('a', 'p-file', null, { target: '_blank', rel: 'noopener noreferrer' });
      if (att.url && /^(https?:|blob:)/.test(att.url)) a.href = att.url;
      if (isImg || att.preview) a.appendChild(el('img', 'p-img', null, { src: att.preview || att.url, alt: att.name || '' }));
      a.appendChild(el('span', null, (att.name || 'file') + (att.size ? ' (' + fmtSize(att.size) + ')' : '')));
      b.appendChild(a);
    }
    row.appendChild(b);
    var ex = m.extra || {};
    if (ex.suggestions && ex.suggestions.length || ex.handoff_offered) {
      var sg = el('div', 'p-suggest');
      (ex.suggestions || []).forEach(function (s) {
        var q = s.question || s.text || String(s);
        var btn = el('button', 'p-chip', q, { type: 'button' });
        btn.addEventListener('click', function () { send(q); });
        sg.appendChild(btn);
      });
      if (ex.handoff_offered) {
        var h = el('button', 'p-chip p-chip-human', t('human'), { type: 'button' });
        h.addEventListener('click', handoff);
        sg.appendChild(h);
      }
      row.appendChild(sg);
    }
    if (ex.kind === 'answer' && ex.entry_id && m.sender && m.sender.type === 'bot') row.appendChild(helpful(m));
    return row;
  }

  // "was this helpful?" under a bot answer: labels the question for the site's learning queue
  function helpful(m) {
    var box = el('div', 'p-helpful');
    var key = 'fb' + m.seq, done = store.get('fb') || {};
    if (done[key]) { box.appendChild(el('span', 'p-note', t('thanks_fb'))); return box; }
    box.appendChild(el('span', 'p-note', t('helpful')));
    [true, false].forEach(function (yes) {
      var b = el('button', 'p-chip p-fb', t(yes ? 'yes' : 'no'), { type: 'button' });
      b.addEventListener('click', function () {
        api('POST', convPath('/bot-feedback'), { seq: m.seq, helpful: yes }).then(function () {
          var d = store.get('fb') || {}; d[key] = yes ? 1 : -1; store.set('fb', d);
          while (box.firstChild) box.removeChild(box.firstChild);
          box.appendChild(el('span', 'p-note', t('thanks_fb')));
        }).catch(function () { /* feedback is best effort */ });
      });
      box.appendChild(b);
    });
    return box;
  }

  function render(m) {
    if (!ui.log) return;
    var row = bubble(m);
    row.setAttribute('data-seq', m.seq);
    nodes[m.seq] = row;
    // Keep seq order; unsent (pending) messages stay at the bottom.
    var next = null, kids = ui.log.children;
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i], s = +k.getAttribute('data-seq');
      if (k.classList.contains('p-pending') || s > m.seq) { next = k; break; }
    }
    ui.log.insertBefore(row, next);
    renderSeen();
    scrollDown();
  }

  function renderPending(o) {
    if (!ui.log || nodes[o.client_message_id]) return;
    var row = bubble({ sender: { type: 'visitor' }, type: o.attachment ? 'attachment' : 'text', text: o.text, attachment: o.attachment });
    row.classList.add('p-pending');
    row.appendChild(el('div', 'p-meta', t('sending')));
    nodes[o.client_message_id] = row;
    ui.log.appendChild(row);
    scrollDown();
  }

  function renderSeen() {
    if (!ui.log) return;
    var old = ui.log.querySelector('.p-seen');
    var mine = -1;
    for (var s in msgs) if (+s <= seenSeq && msgs[s].sender && msgs[s].sender.type === 'visitor' && +s > mine) mine = +s;
    var target = mine > 0 ? nodes[mine] : null;
    if (old && old.parentNode === target) return;
    if (old) old.parentNode.removeChild(old);
    if (target) target.appendChild(el('div', 'p-meta p-seen', t('seen')));
  }

  // -- actions
  function submitText() {
    var v = ui.input.value;
    if (!v.trim()) return;
    ui.input.value = '';
    stopTyping();
    send(v);
  }
  function send(text) {
    if (!session) return;
    queueSend({ text: String(text).slice(0, 4000) });
  }

  function upload(f) {
    var type = fileType(f);
    if (!type) return showError(t('badType', { f: f.name }));
    if (f.size > MAX_BYTES) return showError(t('tooBig', { f: f.name }));
    if (!f.size) return showError(t('uploadFail'));
    var preview = /^image\//.test(type) && W.URL && URL.createObjectURL ? URL.createObjectURL(f) : null;
    var tmp = { client_message_id: uid('u'), attachment: { name: f.name, size: f.size, content_type: type, preview: preview } };
    renderPending(tmp);
    api('POST', convPath('/attachments'), { name: f.name.slice(0, 200), content_type: type, size: f.size }).then(function (r) {
      var fd = new FormData();
      for (var k in r.upload.fields) fd.append(k, r.upload.fields[k]);
      fd.append('file', f);
      return fetch(r.upload.url, { method: 'POST', body: fd, credentials: 'omit' }).then(function (res) {
        if (!res.ok) throw new Error(t('uploadFail'));
        dropOutbox(tmp.client_message_id);
        queueSend({ attachment: r.attachment });
      });
    }).catch(function (e) {
      dropOutbox(tmp.client_message_id);
      showError(e.status ? e.message : t('uploadFail'));
    });
  }

  function handoff() {
    if (!session) return;
    ui.human.disabled = true;
    api('POST', convPath('/handoff'), {}).then(function (r) {
      ui.human.disabled = false;
      setConv(r.conversation);
      if (r.offline) showOfflineForm();
      emit('handoff', r);
    }, function (e) { ui.human.disabled = false; showError(e.message || t('error')); });
  }

  function field(form, name, label, type, required) {
    var id = 'p-f-' + name;
    var wrap = el('div', 'p-field');
    wrap.appendChild(el('label', null, label + (required ? ' *' : ''), { for: id }));
    var inp = el(type === 'textarea' ? 'textarea' : 'input', null, null, { id: id, name: name });
    if (type !== 'textarea') inp.type = type || 'text';
    if (required) inp.required = true;
    wrap.appendChild(inp); form.appendChild(wrap);
    return inp;
  }
  function panelForm(cls, heading, build, onSubmit) {
    ui.extra.textContent = '';
    var f = el('form', 'p-card ' + cls);
    f.appendChild(el('div', 'p-card-title', heading));
    build(f);
    var btn = el('button', 'p-primary', t('submit'), { type: 'submit' });
    f.appendChild(btn);
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      btn.disabled = true;
      Promise.resolve(onSubmit(f)).then(function (msg) {
        ui.extra.textContent = '';
        if (msg) ui.extra.appendChild(el('div', 'p-card p-done', msg, { role: 'status' }));
      }, function (err) { btn.disabled = false; showError(err.message || t('error')); });
    });
    ui.extra.appendChild(f);
    var first = f.querySelector('input,textarea,button');
    if (isOpen && first) first.focus();
    return f;
  }

  // Why the form is offered: the latest offline event's reason (closed, no_agents, timeout).
  function offlineReason() {
    var best = 0;
    for (var s in msgs) if (+s > best && msgs[s].event && msgs[s].event.kind === 'offline' && msgs[s].event.reason !== 'left_message') best = +s;
    return best ? msgs[best].event.reason : null;
  }
  // Business hours as people read them: "Mon–Fri 09:00–18:00; Sat 10:00–14:00 (Asia/Shanghai)".
  function hoursText(h) {
    if (!h || !h.days) return '';
    var keys = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], names = t('days').split(' '), out = [];
    function spans(d) { return (h.days[d] || []).map(function (p) { return p[0] + '–' + p[1]; }).join(', '); }
    for (var i = 0; i < 7; i++) {
      var sp = spans(keys[i]);
      if (!sp) continue;
      var j = i;
      while (j < 6 && spans(keys[j + 1]) === sp) j++;
      out.push((j > i ? names[i] + '–' + names[j] : names[i]) + ' ' + sp);
      i = j;
    }
    return out.length ? out.join('; ') + (h.tz ? ' (' + h.tz + ')' : '') : '';
  }
  function offlineHeading(f, reason) {
    var closedNow = reason === 'closed';
    f.querySelector('.p-card-title').textContent = closedNow ? t('closedLeave') : t('leave');
    var p = f.querySelector('.p-hours'), txt = closedNow ? hoursText(site.business_hours) : '';
    if (!txt) { if (p) p.parentNode.removeChild(p); return; }
    if (!p) { p = el('p', 'p-hours'); f.insertBefore(p, f.querySelector('.p-card-title').nextSibling); }
    p.textContent = t('hours', { h: txt });
  }
  function showOfflineForm(reason) {
    if (!ui.extra || conv.agentInfo) return;     // an agent is in (an offer pushed late)
    reason = reason || offlineReason();
    var shown = ui.extra.querySelector('.p-offline');
    if (shown) { if (reason) offlineHeading(shown, reason); return; }
    var form = panelForm('p-offline', t('leave'), function (f) {
      field(f, 'name', t('name'), 'text').value = (session.visitor && session.visitor.name) || '';
      field(f, 'email', t('email'), 'email', true).value = (session.visitor && session.visitor.email) || '';
      field(f, 'text', t('message'), 'textarea', true);
    }, function (f) {
      var body = { email: f.elements.email.value.trim(), text: f.elements.text.value.trim() };
      if (f.elements.name.value.trim()) body.name = f.elements.name.value.trim();
      return api('POST', convPath('/offline-message'), body).then(function () { return t('sent'); });
    });
    offlineHeading(form, reason);
  }

  function showRating() {
    if (!ui.extra || store.get('rated') === session.conversation_id) return newChatButton();
    panelForm('p-rating', t('rate'), function (f) {
      var stars = el('div', 'p-stars', null, { role: 'radiogroup', 'aria-label': t('rate') });
      for (var i = 1; i <= 5; i++) {
        var lab = el('label', 'p-star');
        var r = el('input', null, null, { type: 'radio', name: 'score', value: String(i), 'aria-label': t('star', { n: i }) });
        if (i === 5) r.required = true;
        lab.appendChild(r); lab.appendChild(el('span', null, '★', { 'aria-hidden': 'true' }));
        stars.appendChild(lab);
      }
      f.appendChild(stars);
      field(f, 'comment', t('comment'), 'textarea');
    }, function (f) {
      var score = +((f.querySelector('input[name=score]:checked') || {}).value || 0);
      if (!score) return Promise.reject(new Error(t('rate')));
      var body = { score: score };
      if (f.elements.comment.value.trim()) body.comment = f.elements.comment.value.trim();
      return api('POST', convPath('/rating'), body).then(function () {
        store.set('rated', session.conversation_id);
        emit('rated', body);
        setTimeout(newChatButton, 0);
        return t('thanks');
      });
    });
  }
  function newChatButton() {
    if (!ui.extra || ui.extra.querySelector('.p-newchat')) return;
    var b = el('button', 'p-primary p-newchat', t('newchat'), { type: 'button' });
    b.addEventListener('click', function () {
      ui.extra.textContent = '';
      openSession().then(function () { restartTransport(); loadHistory(); }, function (e) { showError(e.message); });
    });
    ui.extra.appendChild(b);
  }

  function prechatFields() {
    return (site.prechat_fields || []).map(function (f) {
      if (typeof f === 'string') f = { name: f };
      return { name: f.name || f.key || f.id, label: f.label && (f.label[locale] || f.label.en || f.label) || t(f.name) || f.name, type: f.type || (f.name === 'email' ? 'email' : 'text'), required: f.required !== false };
    }).filter(function (f) { return f.name; });
  }
  var formJs;
  function withForm(fn) {
    formJs = formJs || new Promise(function (ok) {
      var s = el('script', null, null, { src: new URL('parley-form.js', src) });
      s.onload = function () { ok(Parley._form({ api: api, form: panelForm, open: openSession, store: store, ui: ui })); };
      D.head.appendChild(s);
    });
    formJs.then(fn);
  }
  function maybePrechat() {
    var fields = prechatFields(), pf = site.prechat_form || fields.length && { fields: fields.map(function (x) {
      return { key: x.name, label: { en: x.label, zh: x.label }, type: x.type, required: x.required };
    }) };
    if (!pf || lastSeq > 0 || store.get('prechat') === session.visitor_id) return;
    ui.form.hidden = true;
    withForm(function (F) { F.pre(pf); });
  }

  function loadHistory() {
    return api('GET', convPath('/messages?limit=50')).then(function (r) {
      hasMore = r.has_more;
      r.messages.forEach(onMessage);
      examinedTail(r);
      if (r.last_seq > lastSeq) lastSeq = r.last_seq;
      setConv(r.conversation);
      if (hasMore) earlierButton();
      outbox.forEach(function (o) { if (o.cid === session.conversation_id) renderPending(o); });
      if (conv.status === 'closed') showRating();
      else if (r.conversation && r.conversation.offline_offered) showOfflineForm();
      maybePrechat();
    });
  }

  // -- open / close
  function open() {
    if (!ui.panel) { wantOpen = true; return; }
    if (isOpen) return;
    isOpen = true;
    ui.panel.hidden = false;
    ui.root.classList.add('p-open');
    ui.launcher.setAttribute('aria-expanded', 'true');
    store.set('open', true);
    scrollDown();
    (ui.form.hidden ? ui.extra.querySelector('input,textarea') || ui.panel : ui.input).focus();
    markRead(); clearUnread();
    emit('open');
  }
  function close() {
    if (!isOpen) return;
    isOpen = false;
    ui.panel.hidden = true;
    ui.root.classList.remove('p-open');
    ui.launcher.setAttribute('aria-expanded', 'false');
    store.set('open', false);
    stopTyping();
    ui.launcher.focus();
    emit('close');
  }
  function toggle() { isOpen ? close() : open(); }
  var wantOpen = false;

  // -- cross-tab sync
  if (channel) channel.onmessage = function (e) {
    var d = e.data || {};
    if (d.m && !msgs[d.m.seq]) { var c = channel; channel = null; onMessage(d.m); channel = c; }
    if (d.read && d.read >= lastSeq) { readSent = Math.max(readSent, d.read); clearUnread(); }
  };
  W.addEventListener('storage', function (e) {
    if (e.key === NS + 'token' && e.newValue && session && JSON.parse(e.newValue) !== token) {
      token = JSON.parse(e.newValue);
      openSession().then(function () { restartTransport(); loadHistory(); });
    }
    if (e.key === NS + 'outbox') { outbox = store.get('outbox', []); }
  });

  // -- public API
  var Parley = {
    _parley: 1,
    version: '1.0.0',
    open: open, close: close, toggle: toggle,
    on: function (name, fn) {
      (handlers[name] = handlers[name] || []).push(fn);
      if (name === 'ready' && ready) fn(Parley.state());
      return Parley;
    },
    off: function (name, fn) { handlers[name] = (handlers[name] || []).filter(function (f) { return f !== fn; }); return Parley; },
    identify: function (who) {
      if (!who || !who.user_id || !who.hash) return Promise.reject(new Error('identify() needs user_id and hash'));
      var ident = { user_id: String(who.user_id), hash: String(who.hash) };
      if (who.name) ident.name = who.name;
      if (who.email) ident.email = who.email;
      var was = store.get('identity');
      store.set('identity', ident);
      if (!ready) return Promise.resolve();
      // A refused identity (wrong hash) rejects; the visitor stays who they were.
      return openSession(null, true).then(function () { restartTransport(); return loadHistory(); }, function (e) {
        if (was) store.set('identity', was); else store.del('identity');
        console.warn('Parley: identify() refused:', e.message);
        emit('error', { message: e.message, code: e.code });
        throw e;
      });
    },
    setAttributes: function (attrs) {
      if (!ready) { attrsPending = Object.assign(attrsPending || {}, attrs); return Promise.resolve(); }
      return openSession({ attributes: attrs });
    },
    send: function (text) { send(text); },
    state: function () {
      return { ready: ready, connection: connState, transport: transport, open: isOpen, unread: unread,
        visitor_id: session && session.visitor_id, conversation_id: session && session.conversation_id,
        last_seq: lastSeq, synced: synced, status: conv.status, outbox: outbox.length, locale: locale };
    }
  };
  W.Parley = Parley;
  // Calls queued by a snippet before the script loaded: window.Parley = {q: [["open"], ...]}
  var queued = (prev && prev.q) || [];

  // -- boot
  function loadConfig() {
    if (cfg.api) return Promise.resolve();
    return fetch(new URL('/config.json', src).href, { credentials: 'omit', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; })
      .then(function (c) {
        c = c || {};
        cfg.api = c.api;
        if (cfg.ws === undefined) cfg.ws = c.ws;      // data-ws="" (long-poll only) wins
        if (c.site_key && !ds.siteKey) { SITE = c.site_key; NS = 'parley:' + SITE + ':'; }
      });
  }
  // -- your requests: a returning visitor's tickets and public replies, as text
  function loadTickets() {
    return api('GET', '/visitor/tickets').then(function (r) {
      var list = (r && r.tickets) || [];
      var box = ui.tickets;
      while (box.firstChild) box.removeChild(box.firstChild);
      box.hidden = !list.length;
      if (!list.length) return;
      box.appendChild(el('summary', 'p-tickets-title', t('requests', { n: list.length })));
      list.forEach(function (tk) {
        var item = el('div', 'p-ticket', null, { 'data-ticket': tk.ticket_id });
        var btn = el('button', 'p-ticket-head', '#' + tk.number + ' ' + tk.subject + ' · ' + t('st_' + tk.status), { type: 'button', 'aria-expanded': 'false' });
        var thread = el('div', 'p-ticket-thread'); thread.hidden = true;
        btn.addEventListener('click', function () {
          var show = thread.hidden;
          thread.hidden = !show; btn.setAttribute('aria-expanded', show ? 'true' : 'false');
          if (!show || thread.firstChild) return;
          api('GET', '/visitor/tickets/' + encodeURIComponent(tk.ticket_id)).then(function (d) {
            var cs = (d && d.comments) || [];
            if (!cs.length) thread.appendChild(el('p', 'p-ticket-none', t('noReplies')));
            cs.forEach(function (c) {
              var row = el('div', 'p-ticket-reply ' + (c.author && c.author.type === 'agent' ? 'p-from-agent' : 'p-from-me'));
              row.appendChild(el('strong', null, (c.author && c.author.name) || ''));
              row.appendChild(el('p', null, c.body));
              thread.appendChild(row);
            });
          }, function () { thread.appendChild(el('p', 'p-ticket-none', t('error'))); });
        });
        item.appendChild(btn); item.appendChild(thread); box.appendChild(item);
      });
    }, function () { /* no tickets shown: the chat works without them */ });
  }
  function boot() {
    loadConfig().then(function () {
      cfg.api = (cfg.api || src.origin + '/v1').replace(/\/$/, '');
      if (cfg.ws === undefined) cfg.ws = src.origin.replace(/^http/, 'ws') + '/ws';
      if (!cfg.ws) transport = 'poll';
      var extra = attrsPending ? { attributes: attrsPending } : null;
      attrsPending = null;
      // Site config and session in parallel: the session does not need the config.
      var sess = openSession(extra);
      return api('GET', '/visitor/sites/' + encodeURIComponent(SITE), null, { token: null }).then(function (s) {
        site = s || {};
        if (!ds.locale && site.locale && site.locale !== 'auto' && !D.documentElement.lang) locale = pickLocale(site.locale);
        return Promise.all([build(), sess]);
      });
    }).then(function () {
      renderHeader();
      return loadHistory();
    }).then(function () {
      startTransport();
      loadTickets();
      ready = true;
      var ms = W.performance ? Math.round(performance.now() - t0) : 0;
      try { performance.mark('parley-ready'); } catch (e) { /* old browser */ }
      Parley.readyMs = ms;
      emit('ready', Parley.state());
      if (wantOpen || store.get('open')) open();
      queued.forEach(function (c) { if (Parley[c[0]]) Parley[c[0]].apply(null, c.slice(1)); });
    }).catch(function (e) {
      console.warn('Parley: could not start:', e && e.message);
      emit('error', { message: e && e.message, code: e && e.code });
    });
  }
  try { performance.mark('parley-start'); } catch (e) { /* old browser */ }
  boot();
})();
