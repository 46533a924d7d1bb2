// Adds the widget's script tag for ?site=KEY (what a customer writes by hand; see index.html);
// optional &locale=zh and &ws=URL (data-ws, e.g. a closed port for the reconnect tests).
(function () {
  var q = new URLSearchParams(location.search);
  var s = document.createElement('script');
  s.async = true;
  s.src = '/widget/parley.js';
  s.setAttribute('data-site-key', q.get('site') || 'demo');
  if (q.get('locale')) s.setAttribute('data-locale', q.get('locale'));
  if (q.has('ws')) s.setAttribute('data-ws', q.get('ws'));
  document.body.appendChild(s);
})();
