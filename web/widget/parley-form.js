/*! Parley widget: forms (docs/widget.md "Forms"). parley.js loads this file, from its own
 * origin, only when the first in-chat form message or a designed pre-chat form appears.
 * Labels in the widget's language; text only (textContent, never innerHTML); required and
 * type checks in the browser before the server's own. Adds nothing global: Parley._form. */
(function () {
  'use strict';
  var P = window.Parley, D = document;
  if (!P || P._form) return;
  var L = {
    en: { send: 'Send', done: 'Thank you, your answers were sent.', req: 'Please fill this in.',
      bad: 'Please check this value.', fix: 'Please check the highlighted fields.', pre: 'Please introduce yourself',
      none: '—' },
    zh: { send: '提交', done: '感谢填写,您的回答已提交。', req: '请填写此项。', bad: '请检查此项的内容。',
      fix: '请检查标出的字段。', pre: '请先填写您的信息', none: '—' }
  };
  var TYPES = { email: 'email', phone: 'tel', number: 'number', date: 'date' };
  function lc() { return P.state().locale === 'zh' ? 'zh' : 'en'; }
  function t(k) { return L[lc()][k]; }
  function lab(l) { return l ? l[lc()] || l.en || '' : ''; }
  function el(tag, cls, text, attrs) {
    var e = D.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  /* the controls of a form's fields inside `box`; read() gives the answers or null (errors shown) */
  function controls(box, def, prefix) {
    var items = (def.fields || []).map(function (f) {
      var id = prefix + f.key, wrap = el('div', 'p-field'), inp, err = el('div', 'p-note p-ferr', null, { id: id + '-e', role: 'alert' });
      var text = lab(f.label) + (f.required ? ' *' : '');
      if (f.type === 'multi_select') {
        inp = el('fieldset', 'p-multi', null, { id: id, 'aria-describedby': id + '-e' });
        inp.appendChild(el('legend', null, text));
        (f.options || []).forEach(function (o, i) {
          var l = el('label'), c = el('input', null, null, { type: 'checkbox', value: o.value, id: id + '-' + i });
          l.appendChild(c); l.appendChild(D.createTextNode(' ' + lab(o.label)));
          inp.appendChild(l);
        });
      } else {
        wrap.appendChild(el('label', null, text, { for: id }));
        if (f.type === 'select') {
          inp = el('select', null, null, { id: id });
          inp.appendChild(el('option', null, t('none'), { value: '' }));
          (f.options || []).forEach(function (o) { inp.appendChild(el('option', null, lab(o.label), { value: o.value })); });
        } else {
          inp = el('input', null, null, { id: id, name: f.key, type: TYPES[f.type] || 'text' });
          if (f.type === 'number') inp.step = 'any';
          if (f.type === 'text') inp.maxLength = 1000;
        }
        inp.setAttribute('aria-describedby', id + '-e');
        if (f.required) inp.required = true;
      }
      wrap.appendChild(inp); wrap.appendChild(err); box.appendChild(wrap);
      return { f: f, inp: inp, err: err };
    });
    function mark(it, msg) {
      it.err.textContent = msg || '';
      if (msg) it.inp.setAttribute('aria-invalid', 'true'); else it.inp.removeAttribute('aria-invalid');
    }
    function value(it) {
      if (it.f.type === 'multi_select') {
        return Array.prototype.filter.call(it.inp.querySelectorAll('input'), function (c) { return c.checked; })
          .map(function (c) { return c.value; });
      }
      return it.inp.value.trim();
    }
    return {
      read: function () {
        var out = {}, first = null;
        items.forEach(function (it) {
          var v = value(it), empty = !v.length, msg = '';
          if (empty && it.f.required) msg = t('req');
          else if (!empty && it.inp.validity && !it.inp.validity.valid) msg = t('bad');
          mark(it, msg);
          if (msg && !first) first = it;
          if (!empty) out[it.f.key] = v;
        });
        if (first) { (first.inp.querySelector('input') || first.inp).focus(); return null; }
        return out;
      },
      /* the server's refusal: details.errors [{field: "answers.KEY", code}] */
      server: function (e) {
        var errs = (e.details && e.details.errors) || [], first = null;
        items.forEach(function (it) {
          var hit = errs.filter(function (x) { return x.field === 'answers.' + it.f.key; })[0];
          mark(it, hit ? t(hit.code === 'missing_field' ? 'req' : 'bad') : '');
          if (hit && !first) first = it;
        });
        if (first) (first.inp.querySelector('input') || first.inp).focus();
        return !!first;
      }
    };
  }

  P._form = function (K) {
    var live = {};                       // form seq -> show it as answered
    function key(seq) { return P.state().conversation_id + '#' + seq; }
    function answered(seq, msgs) {
      if ((K.store.get('forms') || {})[key(seq)]) return true;
      return Object.keys(msgs || {}).some(function (s) {
        var e = msgs[s].event;
        return e && e.kind === 'form_answered' && e.form_seq === seq;
      });
    }
    P.on('message', function (m) {
      var e = m.event;
      if (e && e.kind === 'form_answered' && live[e.form_seq]) live[e.form_seq]();
    });
    function post(seq, answers) {
      var cid = encodeURIComponent(P.state().conversation_id);
      return K.api('POST', '/visitor/conversations/' + cid + '/forms/' + seq, { answers: answers });
    }

    /* an agent's form in the transcript: fill it in and send it, once */
    function msg(m, b, msgs) {
      var def = (m.extra || {}).form;
      if (!def || b.querySelector('.p-inform, .p-fdone')) return;
      b.appendChild(el('div', 'p-card-title', def.name));
      var f = el('form', 'p-card p-inform', null, { 'data-seq': m.seq });
      f.noValidate = true;
      function finish() {
        var d = K.store.get('forms') || {};
        d[key(m.seq)] = 1; K.store.set('forms', d);
        delete live[m.seq];
        if (f.parentNode) f.parentNode.replaceChild(el('div', 'p-note p-fdone', t('done'), { role: 'status' }), f);
      }
      if (answered(m.seq, msgs)) { b.appendChild(f); finish(); return; }
      var c = controls(f, def, 'p-q' + m.seq + '-');
      var btn = el('button', 'p-primary', t('send'), { type: 'submit' });
      var err = el('div', 'p-note p-ferr', null, { role: 'alert' });
      f.appendChild(btn); f.appendChild(err);
      f.addEventListener('submit', function (e) {
        e.preventDefault();
        err.textContent = '';
        var answers = c.read();
        if (!answers) { err.textContent = t('fix'); return; }
        btn.disabled = true;
        post(m.seq, answers).then(finish, function (x) {
          btn.disabled = false;
          if (x.code === 'form_already_answered') return finish();
          err.textContent = x.status === 400 && c.server(x) ? t('fix') : x.message || t('bad');
        });
      });
      live[m.seq] = finish;
      b.appendChild(f);
    }

    /* the site's designed pre-chat form: answers go with the session (name, email, and the
       rest as attributes named by the contact field they fill) */
    function pre(def) {
      var c;
      K.form('p-prechat', t('pre'), function (f) { f.noValidate = true; c = controls(f, def, 'p-pf-'); }, function () {
        var a = c.read();
        if (!a) return Promise.reject(new Error(t('fix')));
        var body = { attributes: {} };
        (def.fields || []).forEach(function (x) {
          var v = a[x.key], to = x.maps_to || x.key;
          if (v == null) return;
          if (Array.isArray(v)) v = v.join('|');
          if (to === 'name' || to === 'email') body[to] = v; else body.attributes[to] = v;
        });
        return K.open(body).then(function () {
          K.store.set('prechat', P.state().visitor_id);
          K.ui.form.hidden = false; K.ui.input.focus();
          return null;
        });
      });
    }
    return { msg: msg, pre: pre };
  };
})();
