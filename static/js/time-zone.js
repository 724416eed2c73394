// RSC Records: a filter above each time zone select (accounts/time_zones.py renders both).
// Without this script the select works as it is, with every zone in its group.
// Typing narrows the list to the zones whose name, place or group holds every word typed;
// the zone already chosen always stays, so the value never changes until the person picks one.
(function () {
  "use strict";

  var MOST_ROWS = 8;

  // "São Paulo" and "sao paulo", "New_York" and "new york" match alike.
  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[_/,()-]+/g, " ");
  }

  function setUp(wrapper) {
    var input = wrapper.querySelector("input[type=search]");
    var select = input && document.getElementById(input.getAttribute("aria-controls"));
    var status = wrapper.querySelector("[aria-live]");
    if (!select || !input || !status || wrapper.dataset.ready) {
      return;
    }
    wrapper.dataset.ready = "1";

    // Every option, once, with the words it answers to, in the order the server sent them.
    var entries = [];
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        var options = Array.prototype.slice.call(child.children);
        var group = { element: child, options: [] };
        options.forEach(function (option) {
          group.options.push({ element: option, words: fold(option.textContent + " " + option.value + " " + child.label) });
        });
        entries.push(group);
      } else {
        entries.push({ element: child, words: fold(child.textContent + " " + child.value) });
      }
    });

    function matches(words, terms) {
      return terms.every(function (term) {
        return words.indexOf(term) !== -1;
      });
    }

    function show(count, filtering) {
      if (!filtering) {
        status.textContent = "";
      } else if (count === 0) {
        status.textContent = status.dataset.msgNone;
      } else if (count === 1) {
        status.textContent = status.dataset.msgOne;
      } else {
        status.textContent = status.dataset.msgMany.replace("{count}", String(count));
      }
    }

    function apply() {
      var chosen = select.value;
      var terms = fold(input.value).split(/\s+/).filter(Boolean);
      var filtering = terms.length > 0;
      var count = 0;
      var rows = 0;
      var children = [];
      entries.forEach(function (entry) {
        if (!entry.options) {
          var keep = !filtering || matches(entry.words, terms) || entry.element.value === chosen;
          if (keep) {
            children.push(entry.element);
            rows += 1;
            count += filtering && matches(entry.words, terms) ? 1 : 0;
          }
          return;
        }
        var kept = entry.options.filter(function (option) {
          var hit = !filtering || matches(option.words, terms);
          count += filtering && hit ? 1 : 0;
          return hit || option.element.value === chosen;
        });
        if (kept.length) {
          entry.element.replaceChildren.apply(
            entry.element,
            kept.map(function (option) {
              return option.element;
            })
          );
          children.push(entry.element);
          rows += kept.length + 1;
        }
      });
      select.replaceChildren.apply(select, children);
      select.value = chosen;
      // While filtering, the matches show as a short list rather than behind a closed select.
      if (filtering) {
        select.size = Math.max(2, Math.min(MOST_ROWS, rows));
      } else {
        select.removeAttribute("size");
      }
      show(count, filtering);
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      // Enter would send the whole form: it goes to the list instead, as does the down arrow.
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        apply();
      }
    });
    wrapper.hidden = false;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-time-zone-filter]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
