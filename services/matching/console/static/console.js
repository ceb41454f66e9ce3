// Keyboard use of the review console: j/k move through the queue, Enter opens, "/" goes to the
// filters; on a pair, s / d choose "same person" / "different people" and move to the reason.
(function () {
  "use strict";
  function typing(e) {
    var tag = (e.target && e.target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.item"));
    var current = rows.findIndex(function (r) { return r.classList.contains("selected"); });
    if (e.key === "j" || e.key === "k") {
      if (!rows.length) return;
      var next = current < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, current + (e.key === "j" ? 1 : -1)));
      rows.forEach(function (r) { r.classList.remove("selected"); });
      rows[next].classList.add("selected");
      var link = rows[next].querySelector("a");
      if (link) link.focus();
      e.preventDefault();
    } else if (e.key === "Enter" && current >= 0) {
      window.location.href = rows[current].getAttribute("data-href");
    } else if (e.key === "/") {
      var filter = document.getElementById("filter");
      if (filter) { filter.focus(); e.preventDefault(); }
    } else if (e.key === "s" || e.key === "d") {
      var value = e.key === "s" ? "same_person" : "different_people";
      var radio = document.querySelector('input[name="decision"][value="' + value + '"]');
      if (radio) {
        radio.checked = true;
        var reason = document.getElementById("reason");
        if (reason) reason.focus();
        e.preventDefault();
      }
    }
  });
})();
