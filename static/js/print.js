// RSC Records: a "Print this record" button on a signed session. Without JavaScript the button
// stays hidden and the browser's own print works the same (static/css/print.css).
(function () {
  "use strict";

  function start() {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
