// In another app's help panel (/embed/...): tell the page around us our height, the step we are on and,
// once the walk is handed to support, its reference, so it can size the frame and follow the walk.
// Only an origin the server lists is told anything: the message is addressed to each listed origin in
// turn, and the browser delivers it only to the one the parent page really has. So no browser needs
// `location.ancestorOrigins` or a referrer (which our Referrer-Policy leaves empty after a redirect).
"use strict";

(function () {
  if (window.parent === window) return;
  let allowed = (document.body.dataset.embedOrigins || "").split(" ").filter(Boolean);
  if (location.ancestorOrigins && location.ancestorOrigins.length) {
    const parent = location.ancestorOrigins[0];
    allowed = allowed.filter(function (origin) { return origin === parent; });
  }
  if (!allowed.length) return;

  function tell() {
    const step = document.getElementById("step");
    const heading = step && step.querySelector("h1");
    const reference = document.querySelector(".reference strong");
    const message = {
      type: "netsuite-troubleshooter:step",
      height: document.documentElement.scrollHeight,
      url: location.href,
      step: heading ? heading.textContent.trim() : document.title,
      reference: reference ? reference.textContent.trim() : "",
    };
    allowed.forEach(function (origin) { window.parent.postMessage(message, origin); });
  }

  document.addEventListener("DOMContentLoaded", tell);
  document.addEventListener("htmx:afterSettle", tell);
  window.addEventListener("resize", tell);
})();
