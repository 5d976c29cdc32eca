// Live pages: while the run is going, poll its stamp and, when it changes, fetch the page
// again and swap in only the parts marked data-live, so the reader keeps their place
// (scroll position, open details, what they typed or ticked stays as it was).
(function () {
  "use strict";
  var body = document.body;
  var stampUrl = body.dataset.stampUrl;
  if (!stampUrl) return;
  var FAST = 3000, SLOW = 15000;
  var SCROLLERS = ".tree-box, .code, .scroll";
  var last = null;

  function keepState(oldEl, newEl) {
    // carry over what the reader changed: open/closed details and ticked boxes
    var oldDetails = oldEl.querySelectorAll("details");
    var newDetails = newEl.querySelectorAll("details");
    for (var i = 0; i < oldDetails.length && i < newDetails.length; i++) {
      newDetails[i].open = oldDetails[i].open;
    }
    oldEl.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      var twin = newEl.querySelector('input[type=checkbox][value="' + CSS.escape(box.value) + '"]');
      if (twin) twin.checked = box.checked;
    });
  }

  function place() {
    // where the reader is: the first identified part of the page not yet scrolled past
    var parts = document.querySelectorAll("main [id]");
    for (var i = 0; i < parts.length; i++) {
      var r = parts[i].getBoundingClientRect();
      if (r.bottom > 0 && r.height > 0) return { id: parts[i].id, top: r.top };
    }
    return null;
  }

  function restore(where) {
    // parts above may have grown or shrunk: scroll so that part sits where it sat
    var el = where && document.getElementById(where.id);
    if (el) window.scrollBy(0, el.getBoundingClientRect().top - where.top);
  }

  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var where = place();
        document.querySelectorAll("[data-live]").forEach(function (el) {
          var twin = el.id && fresh.getElementById(el.id);
          if (!twin) return;
          keepState(el, twin);
          var scrolled = Array.prototype.map.call(el.querySelectorAll(SCROLLERS), function (s) {
            return [s.scrollTop, s.scrollLeft];
          });
          var added = document.importNode(twin, true);
          el.replaceWith(added);
          // boxes that scroll on their own (a tree, code) stay scrolled where they were
          added.querySelectorAll(SCROLLERS).forEach(function (s, i) {
            if (scrolled[i]) { s.scrollTop = scrolled[i][0]; s.scrollLeft = scrolled[i][1]; }
          });
        });
        var indicator = document.getElementById("live-indicator");
        var freshIndicator = fresh.getElementById("live-indicator");
        if (indicator && freshIndicator) indicator.replaceWith(document.importNode(freshIndicator, true));
        restore(where);
        body.dataset.refreshed = String(Number(body.dataset.refreshed || 0) + 1);
      });
  }

  function tick() {
    fetch(stampUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return schedule(SLOW);
        var changed = last !== null && s.stamp !== last;
        last = s.stamp;
        var next = s.live ? FAST : SLOW;
        if (!changed) return schedule(next);
        return refresh().then(function () { schedule(next); });
      })
      .catch(function () { schedule(SLOW); });
  }

  function schedule(ms) {
    // a finished run can still be resumed, so its pages keep checking, slowly
    window.setTimeout(tick, ms);
  }

  tick();
})();
