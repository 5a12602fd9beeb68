// Start Pagefind's search interface; the page says what to do without JavaScript.
(function () {
  "use strict";
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") return;
  new PagefindUI({
    element: "#search",
    // Resolved against the page: the bundle's own script would resolve it against itself.
    bundlePath: new URL(element.getAttribute("data-bundle"), document.baseURI).href,
    showSubResults: false,
    showImages: false,
    resetStyles: false
  });
})();
