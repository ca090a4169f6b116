// In another app's help panel (/embed/...): tell the page around us our height and the step we are on,
// so it can size the frame and follow the walk. Only an origin the server lists is told anything.
"use strict";

(function () {
  if (window.parent === window) return;
  const allowed = (document.body.dataset.embedOrigins || "").split(" ").filter(Boolean);
  let parent = "";
  if (location.ancestorOrigins && location.ancestorOrigins.length) {
    parent = location.ancestorOrigins[0];
  } else {
    try { parent = new URL(document.referrer).origin; } catch (error) { parent = ""; }
  }
  if (!allowed.includes(parent)) return;

  function tell() {
    const step = document.getElementById("step");
    const heading = step && step.querySelector("h1");
    window.parent.postMessage({
      type: "netsuite-troubleshooter:step",
      height: document.documentElement.scrollHeight,
      url: location.href,
      step: heading ? heading.textContent.trim() : document.title,
    }, parent);
  }

  document.addEventListener("DOMContentLoaded", tell);
  document.addEventListener("htmx:afterSettle", tell);
  window.addEventListener("resize", tell);
})();
