// partnerhub: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // "Select all" for checkbox columns (the box is hidden until this script shows it).
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    all.hidden = false;
    all.addEventListener("change", function () {
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
  // "Copy to clipboard" buttons: data-copy-target names the element whose text is copied.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) { return; }
      var text = target.value !== undefined ? target.value : target.textContent;
      var done = function () {
        var label = button.getAttribute("data-copied-label");
        if (label) { var before = button.textContent; button.textContent = label; setTimeout(function () { button.textContent = before; }, 2000); }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () {});
      } else if (target.select) {
        target.select(); document.execCommand("copy"); done();
      }
    });
  });
  // "Print" buttons (the recovery codes): shown only where this script can print.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Pages that follow a running job reload themselves while it runs (data-refresh-seconds on <main>).
  var main = document.querySelector("[data-refresh-seconds]");
  if (main) {
    setTimeout(function () { window.location.reload(); }, 1000 * Number(main.getAttribute("data-refresh-seconds")));
  }
})();
// The role picker: a filter by name over the grouped roles; groups with a match open, the others close.
(function () {
  "use strict";
  document.querySelectorAll("input[data-role-filter]").forEach(function (input) {
    var picker = document.getElementById(input.getAttribute("data-role-filter"));
    if (!picker) { return; }
    input.parentNode.hidden = false;
    input.addEventListener("input", function () {
      var text = input.value.trim().toLowerCase();
      picker.querySelectorAll("details.role-group").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("label.checkbox").forEach(function (label) {
          var match = !text || label.textContent.toLowerCase().indexOf(text) !== -1;
          label.hidden = !match;
          if (match) { shown += 1; }
        });
        group.hidden = shown === 0;
        // while filtering, the groups with a match open; with no filter, those holding a ticked role
        group.open = text ? shown > 0 : group.querySelector("input:checked") !== null;
      });
    });
  });
})();
