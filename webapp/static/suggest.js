// Perspectives: suggestions while typing in the search box (GET /api/suggest), as an ARIA 1.2
// combobox: the box keeps focus, arrows move through the list (aria-activedescendant), Enter
// picks, Escape closes. Without this file the box is a plain search form.
// Requests wait for a pause in typing (DEBOUNCE_MS), a new one aborts the one in flight, and
// answers are kept per text, so typing and deleting never sends a storm.
(function () {
  "use strict";
  var DEBOUNCE_MS = 150;
  var MIN_CHARS = 2;
  var KEPT = 64;
  var KINDS = { word: "word", title: "entry", author: "author", theme: "theme" };

  var answers = new Map();  // text -> suggestions
  var timer = null;
  var inFlight = null;

  function plural(n, one, many) { return n.toLocaleString("en") + " " + (n === 1 ? one : many); }

  function parts(input) {
    var form = input.form;
    return {
      input: input,
      form: form,
      list: document.getElementById("q-suggestions"),
      status: document.getElementById("q-suggest-status"),
    };
  }

  function attach(input) {
    if (!input || !input.dataset.suggest || input.dataset.combobox) return;
    input.dataset.combobox = "on";
    var list = document.createElement("ul");
    list.id = "q-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    var status = document.createElement("div");
    status.id = "q-suggest-status";
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    var row = input.closest(".searchbar-row") || input;
    row.classList.add("has-suggestions");
    row.appendChild(list);
    row.parentNode.insertBefore(status, row.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
  }

  function options(p) { return p.list ? Array.prototype.slice.call(p.list.children) : []; }

  function close(p) {
    if (!p.list) return;
    p.list.hidden = true;
    p.list.textContent = "";
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
  }

  function render(p, text, suggestions) {
    if (p.input.value !== text || document.activeElement !== p.input) return;
    p.list.textContent = "";
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "q-suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = "suggestion suggestion-" + s.kind;
      li.dataset.kind = s.kind;
      li.dataset.value = s.value;
      li.dataset.url = s.url;
      var label = document.createElement("span");
      label.className = "suggestion-text";
      label.textContent = s.kind === "word" ? s.value : s.text;
      var kind = document.createElement("span");
      kind.className = "suggestion-kind";
      kind.textContent = KINDS[s.kind] || s.kind;
      li.appendChild(label);
      li.appendChild(kind);
      if (s.kind !== "title") {
        var count = document.createElement("span");
        count.className = "suggestion-count";
        count.textContent = plural(s.count, "entry", "entries");
        li.appendChild(count);
      }
      p.list.appendChild(li);
    });
    var open = suggestions.length > 0;
    p.list.hidden = !open;
    p.input.setAttribute("aria-expanded", open ? "true" : "false");
    p.input.removeAttribute("aria-activedescendant");
    p.status.textContent = open ? plural(suggestions.length, "suggestion", "suggestions") : "";
  }

  function ask(p) {
    var text = p.input.value;
    if (text.trim().length < MIN_CHARS) { close(p); return; }
    if (answers.has(text)) { render(p, text, answers.get(text)); return; }
    if (inFlight) inFlight.abort();
    var controller = new AbortController();
    inFlight = controller;
    fetch(p.input.dataset.suggest + "?" + new URLSearchParams({ q: text }).toString(), {
      headers: { Accept: "application/json" }, signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (body) {
        if (answers.size >= KEPT) answers.delete(answers.keys().next().value);
        answers.set(text, body.suggestions);
        render(p, text, body.suggestions);
      })
      .catch(function () { /* aborted, or no answer: the box stays a plain search box */ })
      .finally(function () { if (inFlight === controller) inFlight = null; });
  }

  function activate(p, index) {
    var all = options(p);
    all.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (index < 0 || index >= all.length) {
      p.input.removeAttribute("aria-activedescendant");
      return;
    }
    p.input.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function active(p) {
    var id = p.input.getAttribute("aria-activedescendant");
    return id ? options(p).findIndex(function (li) { return li.id === id; }) : -1;
  }

  function pick(p, li) {
    close(p);
    if (li.dataset.kind === "word") {
      p.input.value = li.dataset.value;
      answers.delete(p.input.value);
      if (p.form.requestSubmit) p.form.requestSubmit(); else p.form.submit();
    } else {
      location.assign(li.dataset.url);
    }
  }

  function isBox(target) { return target && target.id === "q" && target.form && target.dataset.combobox; }

  document.addEventListener("input", function (event) {
    if (!isBox(event.target)) return;
    var p = parts(event.target);
    clearTimeout(timer);
    if (p.input.value.trim().length < MIN_CHARS) { close(p); return; }
    timer = setTimeout(function () { ask(p); }, DEBOUNCE_MS);
  });

  document.addEventListener("keydown", function (event) {
    if (!isBox(event.target)) return;
    var p = parts(event.target);
    var all = options(p);
    var open = p.list && !p.list.hidden;
    var at = active(p);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) {
        if (p.input.value.trim().length >= MIN_CHARS) { clearTimeout(timer); ask(p); }
        event.preventDefault();
        return;
      }
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = at + step;
      if (next >= all.length) next = -1;  // past the last: back to the text as typed
      if (next < -1) next = all.length - 1;
      activate(p, next);
    } else if (event.key === "Enter" && open && at >= 0) {
      event.preventDefault();
      pick(p, all[at]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      clearTimeout(timer);
      if (inFlight) inFlight.abort();
      close(p);
    } else if (event.key === "Enter" || event.key === "Tab") {
      clearTimeout(timer);
      if (inFlight) inFlight.abort();
      close(p);
    }
  });

  document.addEventListener("mousedown", function (event) {
    // keep focus in the box while an option is clicked
    if (event.target.closest && event.target.closest("#q-suggestions")) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var li = event.target.closest && event.target.closest("#q-suggestions [role=option]");
    if (!li) return;
    var input = document.getElementById("q");
    if (isBox(input)) pick(parts(input), li);
  });

  document.addEventListener("focusout", function (event) {
    if (!isBox(event.target)) return;
    var p = parts(event.target);
    clearTimeout(timer);
    close(p);
  });

  function attachAll() { attach(document.getElementById("q")); }
  attachAll();
  // app.js swaps <main> (and the form in it) when a search is refined in place
  new MutationObserver(attachAll).observe(document.body, { childList: true });
})();
