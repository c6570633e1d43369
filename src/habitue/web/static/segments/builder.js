// Habitué: the segment builder (no framework; the server draws the pickers).
//
// The builder form (data-builder) carries the rules as fields. Typing in a value or ticking a
// box asks for the status (sentence, live count, errors) once the person pauses: the status
// panel listens to "builder-changed" (hx-trigger "from:body"), fired here after a pause, and
// by the server (HX-Trigger-After-Settle) once a redraw of the rules is in place. Selects
// marked data-rerender redraw the rules themselves (their own hx-post), so they do not ask
// twice.
//
// Elsewhere, a select with data-autosubmit submits its form when it changes.
(function () {
  "use strict";
  var PAUSE_MS = 450;

  function wire(form) {
    var timer = null;
    function changed(e) {
      if (e.target && e.target.hasAttribute && e.target.hasAttribute("data-rerender")) return;
      // the name and key of the segment change neither the sentence nor the count; the
      // rules' fields are named "<rule id>.<parameter>"
      if (!e.target || !e.target.name || e.target.name.indexOf(".") < 0) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        if (window.htmx) window.htmx.trigger(form, "builder-changed");
      }, PAUSE_MS);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    // Enter in a value must not submit the form (the builder saves with its button).
    form.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target.tagName === "INPUT") e.preventDefault();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-builder]").forEach(wire);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  });
})();
