// Brisa's few scripts: theme toggle, auto-submitting selects, the connection type reload, confirmations, polling the
// grid/graph/Gantt while runs are live, and following a running task's log. Pages work
// without them (buttons are shown instead; reload to refresh). Loaded with `defer`.
(function () {
  "use strict";

  var POLL_MS = 3000;
  var LOG_POLL_MS = 2000;
  var THEMES = ["auto", "dark", "light"];
  var root = document.documentElement;
  root.classList.add("js");

  // -- theme: auto (system) -> dark -> light, remembered in a cookie the server reads --
  function setTheme(theme) {
    root.setAttribute("data-theme", theme);
    document.cookie = "brisa_theme=" + theme + "; path=/; max-age=31536000; samesite=lax";
  }
  document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
    function label() {
      var text = button.getAttribute("data-label-" + (root.getAttribute("data-theme") || "auto"));
      if (text) { button.title = text; button.setAttribute("aria-label", text); }
    }
    label();
    button.addEventListener("click", function () {
      var current = THEMES.indexOf(root.getAttribute("data-theme") || "auto");
      setTheme(THEMES[(current + 1) % THEMES.length]);
      label();
    });
  });

  // -- selects that submit their form when changed ---------------------------------------
  document.querySelectorAll("form[data-autosubmit] select, select[data-autosubmit-field]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // -- a new connection's type: reload the form with that type's fields ------------------
  document.querySelectorAll("input[data-reload-param]").forEach(function (input) {
    input.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.set(input.getAttribute("data-reload-param"), input.value);
      window.location.assign(url.toString());
    });
  });

  // -- "are you sure?" before destructive posts ---------------------------------------------
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // -- polled fragments: the server answers 304 while nothing changed --------------------
  document.querySelectorAll("[data-poll-url]").forEach(function (box) {
    var etag = null;
    var note = document.querySelector("[data-live-note]");
    function schedule() { window.setTimeout(poll, POLL_MS); }
    function poll() {
      if (document.hidden) { schedule(); return; }
      var headers = etag ? { "If-None-Match": etag } : {};
      fetch(box.getAttribute("data-poll-url"), { headers: headers, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
          var live = response.headers.get("X-Brisa-Live") === "1";
          if (response.status === 304) { return { live: live, html: null }; }
          if (!response.ok) { return { live: true, html: null }; }
          etag = response.headers.get("ETag");
          return response.text().then(function (html) { return { live: live, html: html }; });
        })
        .then(function (result) {
          if (!result) { return; }
          if (result.html !== null) { box.innerHTML = result.html; }
          box.setAttribute("data-live", result.live ? "1" : "0");
          if (note) { note.hidden = !result.live; }
          if (result.live) { schedule(); }
        })
        .catch(schedule);
    }
    if (box.getAttribute("data-live") === "1") { schedule(); }
  });

  // -- a try's log: fetch what was written after the continuation token -------------------
  document.querySelectorAll("pre[data-log-url]").forEach(function (pre) {
    var token = pre.getAttribute("data-log-token") || "";
    var live = pre.getAttribute("data-log-live") === "1";
    var note = document.querySelector("[data-log-note]");
    function atBottom() { return pre.scrollHeight - pre.scrollTop - pre.clientHeight < 30; }
    function append(lines) {
      var follow = atBottom();
      pre.appendChild(document.createTextNode(lines.join("\n") + "\n"));
      if (follow) { pre.scrollTop = pre.scrollHeight; }
    }
    function fetchMore() {
      var url = pre.getAttribute("data-log-url") + (token ? "&token=" + encodeURIComponent(token) : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (page) {
          if (!page) { window.setTimeout(fetchMore, LOG_POLL_MS * 2); return; }
          if (page.lines.length) { append(page.lines); }
          if (page.token) { token = page.token; }
          if (page.lines.length) { window.setTimeout(fetchMore, 200); return; }
          if (page.finished || !live) { if (note) { note.hidden = true; } return; }
          window.setTimeout(fetchMore, LOG_POLL_MS);
        })
        .catch(function () { window.setTimeout(fetchMore, LOG_POLL_MS * 2); });
    }
    fetchMore();
  });
})();
