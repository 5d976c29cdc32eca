// Lineage page: bring the focused program into view inside the scrollable tree, once, when
// the page opens (live refreshes later leave the reader's scroll position alone).
(function () {
  "use strict";
  var box = document.querySelector(".tree-box");
  var focus = box && box.querySelector(".node.focus");
  if (!focus) return;
  var b = box.getBoundingClientRect();
  var f = focus.getBoundingClientRect();
  box.scrollTop += f.top - b.top - box.clientHeight / 3;
  box.scrollLeft += f.left - b.left - box.clientWidth / 2;
})();
