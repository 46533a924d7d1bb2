// Adds the widget's script tag for ?site=KEY (what a customer writes by hand; see index.html).
(function () {
  var q = new URLSearchParams(location.search);
  var s = document.createElement('script');
  s.async = true;
  s.src = '/widget/parley.js';
  s.setAttribute('data-site-key', q.get('site') || 'demo');
  if (q.get('locale')) s.setAttribute('data-locale', q.get('locale'));
  document.body.appendChild(s);
})();
