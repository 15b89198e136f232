/* A table that scrolls sideways inside its own box (narrow screens, static/css/app.css) must be
   reachable by keyboard: such a box gets tabindex="0" (arrow keys then scroll it) and is named
   after its table's caption. Boxes that stop scrolling (wider window) lose the tabindex again.
   A static file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function label(box) {
    var table = box.tagName === "TABLE" ? box : box.querySelector("table");
    var caption = table && table.querySelector("caption");
    return caption ? caption.textContent.trim() : "";
  }

  function update() {
    document.querySelectorAll("table.data, .table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
        if (!box.hasAttribute("aria-label") && label(box)) {
          if (box.tagName !== "TABLE") box.setAttribute("role", "region");  // a named box
          box.setAttribute("aria-label", label(box) + "（横にスクロールできます）");
        }
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(update, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
