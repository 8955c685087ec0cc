// Perspectives: progressive enhancement only. Every control works without this file
// (plain GET forms and links); with it, refining a search updates the page in place,
// keeps focus where it was, and still gives every state its own URL.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  document.body.appendChild(live);

  function searchForm() { return document.getElementById("search"); }

  function sameSearchPage(url) {
    var form = searchForm();
    if (!form) return false;
    var target = new URL(url, location.href);
    var action = new URL(form.getAttribute("action") || location.pathname, location.href);
    return target.origin === location.origin && target.pathname === action.pathname;
  }

  function formUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (String(value).trim() !== "") params.append(name, value);
    });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  var pending = null;
  var shown = location.pathname + location.search;  // the state the page shows now

  function load(url, options) {
    options = options || {};
    var focusId = document.activeElement && document.activeElement.id;
    if (pending) pending.abort();
    pending = new AbortController();
    root.classList.add("is-loading");
    fetch(url, { headers: { Accept: "text/html" }, signal: pending.signal })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.querySelector("main");
        if (!fresh) throw new Error("no main");
        document.querySelector("main").replaceWith(document.adoptNode(fresh));
        document.title = doc.title;
        if (options.push) history.pushState({ perspectives: true }, "", url);
        shown = location.pathname + location.search;
        enhance(false);
        var heading = document.getElementById("results-title");
        if (heading) live.textContent = heading.textContent.replace(/\s+/g, " ").trim();
        var again = focusId && document.getElementById(focusId);
        if (again && !options.toResults) {
          again.focus();
        } else if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus({ preventScroll: true });
          if (options.toResults) heading.scrollIntoView({ block: "start" });
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") location.href = url;  // let the server answer in full
      })
      .finally(function () { root.classList.remove("is-loading"); });
  }

  function enhance(first) {
    var form = searchForm();
    enhanceFacets();
    var panel = document.querySelector(".refine-panel");
    // Browsers without ::details-content cannot show a closed panel's content on a desktop:
    // open it there (in its own column, so nothing else moves). Phones keep it as it came.
    if (first && panel && !CSS.supports("selector(::details-content)") &&
        window.matchMedia("(min-width: 56.01rem)").matches) {
      panel.open = true;
    }
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.setAttribute("data-copied", "");
          setTimeout(function () { button.removeAttribute("data-copied"); }, 2000);
        });
      });
    });
    return form;
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    var form = searchForm();
    if (!form || !el.form || el.form !== form || el.id === "q") return;
    if (el.checkValidity && !el.checkValidity()) return;
    load(formUrl(form), { push: true });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "search" || !window.fetch) return;
    event.preventDefault();
    load(formUrl(form), { push: true, toResults: true });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey ||
        event.ctrlKey || event.shiftKey || event.altKey || link.hasAttribute("download")) return;
    if (!link.closest("main") || !sameSearchPage(link.href)) return;
    event.preventDefault();
    load(link.href, { push: true, toResults: !!link.closest(".pager") });
  });

  window.addEventListener("popstate", function () {
    if (location.pathname + location.search === shown) return;  // only the #fragment moved
    if (searchForm()) load(location.href, {});
    else location.reload();
  });

  // A facet's filter box: narrows its values as one types, from every value of the facet
  // (/api/facets/<name>, counted under this search); selected values always stay listed.
  var finding = {};  // by facet: {q, order}, kept while the page reloads in place
  var findTimer = null;
  var findRequest = null;

  function choiceItem(name, v, i, fixed) {
    var li = document.createElement("li");
    li.className = "choice" + (v.selected ? " is-selected" : "");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.setAttribute("form", "search");
    input.id = "found-" + name + "-" + i;
    input.name = name;
    input.value = v.value;
    input.checked = v.selected;
    input.disabled = fixed === v.value;
    var label = document.createElement("label");
    label.htmlFor = input.id;
    var text = document.createElement("span");
    text.className = "choice-label";
    text.textContent = v.label || v.value;
    var count = document.createElement("span");
    count.className = "count";
    count.textContent = String(v.count);
    var noun = document.createElement("span");
    noun.className = "visually-hidden";
    noun.textContent = v.count === 1 ? " entry" : " entries";
    count.appendChild(noun);
    label.appendChild(text);
    label.appendChild(count);
    li.appendChild(input);
    li.appendChild(label);
    return li;
  }

  function findValues(tools) {
    var box = tools.closest(".facet");
    var name = box.id.replace(/^facet-/, "");
    var q = tools.querySelector(".facet-find-box").value.trim();
    var order = tools.querySelector(".facet-order").value;
    var found = box.querySelector(".facet-found");
    var first = box.querySelectorAll(".choices--first, .more, .facet-all");
    finding[name] = { q: q, order: order };
    if (!q && order === "count") {
      found.hidden = true;
      first.forEach(function (el) { el.hidden = false; });
      return;
    }
    var url = tools.getAttribute("data-values");
    url += (url.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams({ q: q, order: order, per_page: "50" });
    if (findRequest) findRequest.abort();
    findRequest = new AbortController();
    fetch(url, { headers: { Accept: "application/json" }, signal: findRequest.signal })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        var fixed = tools.getAttribute("data-fixed");
        found.textContent = "";
        data.results.forEach(function (v, i) { found.appendChild(choiceItem(name, v, i, fixed)); });
        var note = document.createElement("li");
        note.className = "facet-found-note";
        if (!data.total) {
          // the facet as the page names it ("author", a field map's facet by its label)
          var noun = box.querySelector("legend").firstChild.textContent.trim().toLowerCase();
          note.textContent = "No " + noun + " holds “" + q + "” here.";
        } else if (data.total > data.results.length) {
          var all = document.createElement("a");
          all.href = tools.getAttribute("data-all") + (tools.getAttribute("data-all").indexOf("?") < 0 ? "?" : "&") +
            new URLSearchParams({ q: q, order: order });
          all.textContent = "All " + data.total + " that match";
          note.appendChild(all);
        }
        if (note.textContent) found.appendChild(note);
        found.hidden = false;
        first.forEach(function (el) { el.hidden = true; });
      })
      .catch(function () { /* aborted, or offline: the lists as they were stay */ });
  }

  function enhanceFacets() {
    document.querySelectorAll(".facet-tools").forEach(function (tools) {
      tools.hidden = false;
      var name = tools.closest(".facet").id.replace(/^facet-/, "");
      var was = finding[name];
      if (was && (was.q || was.order !== "count")) {
        tools.querySelector(".facet-find-box").value = was.q;
        tools.querySelector(".facet-order").value = was.order;
        findValues(tools);
      }
    });
  }

  document.addEventListener("input", function (event) {
    var tools = event.target.closest && event.target.closest(".facet-tools");
    if (!tools || !event.target.classList.contains("facet-find-box")) return;
    clearTimeout(findTimer);
    findTimer = setTimeout(function () { findValues(tools); }, 150);
  });

  document.addEventListener("change", function (event) {
    var tools = event.target.closest && event.target.closest(".facet-tools");
    if (tools && event.target.classList.contains("facet-order")) findValues(tools);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag)) return;
    var box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });

  enhance(true);
})();
