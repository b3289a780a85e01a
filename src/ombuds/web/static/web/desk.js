// Small comforts for the agent workspace. Every page works without this file; it only
// saves clicks. Loaded as a file because the CSP allows no inline script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Selects marked data-autosubmit (the language switcher) submit on change, so the
  // "Change" button is only needed without script.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) {
      select.form.requestSubmit();
    }
  });

  // Ctrl+Enter (Cmd+Enter on a Mac) sends the reply or note being typed.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) {
      return;
    }
    var form = event.target.closest("form.write-form");
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
