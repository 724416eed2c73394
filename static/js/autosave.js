// RSC Records: autosave for long writing. Text goes to the server a moment after typing
// stops, only when something changed; never to browser storage. Without JavaScript the
// forms still save normally with their buttons.
(function () {
  "use strict";

  var DELAY = 2000;

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function setUpForm(form) {
    var status = form.querySelector("[data-autosave-status]") || document.getElementById("autosave-status");
    var conflictRegion = form.querySelector("#conflict-region");
    var warningRegion = form.querySelector("#identifying-region");
    var notice = form.querySelector(".signed-out-notice");
    var revision = form.querySelector("input[name=revision]");
    var messages = form.dataset;
    var timer = null;
    var inFlight = null;
    var paused = false;
    var signedOut = false;
    var pendingSubmit = null;

    function serialize() {
      var data = new FormData(form);
      data.delete("csrfmiddlewaretoken");
      data.delete("revision");
      data.delete("then");
      return new URLSearchParams(data).toString();
    }

    var lastSaved = serialize();

    function isDirty() {
      return serialize() !== lastSaved;
    }

    function markDirty() {
      if (isDirty()) {
        form.setAttribute("data-dirty", "");
      } else {
        form.removeAttribute("data-dirty");
      }
    }

    function say(text) {
      if (status && status.textContent !== text) {
        status.textContent = text;
      }
    }

    function showSignedOut(show) {
      signedOut = show;
      if (notice) {
        notice.hidden = !show;
      }
      if (show) {
        say(messages.msgSignedOut);
      }
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY);
    }

    function handleAnswer(response, sent) {
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        showSignedOut(true);
        return null;
      }
      return response.json().then(function (answer) {
        if (response.status === 409 && answer.conflict) {
          paused = true;
          if (conflictRegion) {
            conflictRegion.innerHTML = answer.html;
            var keep = conflictRegion.querySelector("[data-keep-mine]");
            if (keep) {
              keep.addEventListener("click", function (event) {
                event.preventDefault();
                revision.value = keep.dataset.revision;
                conflictRegion.innerHTML = "";
                paused = false;
                lastSaved = "";
                save();
              });
            }
          }
          say(messages.msgConflict);
          return null;
        }
        if (!response.ok) {
          say(answer.message || messages.msgNotSaved);
          return null;
        }
        showSignedOut(false);
        if (answer.saved) {
          lastSaved = sent;
          if (revision && answer.revision) {
            revision.value = answer.revision;
          }
          if (answer.created && answer.edit_url) {
            form.action = answer.edit_url;
            window.history.replaceState(null, "", answer.edit_url);
          }
          if (warningRegion && typeof answer.warnings === "string") {
            var keepBox = warningRegion.querySelector("input[name=keep_identifying]");
            if (!(keepBox && keepBox.checked) && warningRegion.innerHTML.trim() !== answer.warnings.trim()) {
              warningRegion.innerHTML = answer.warnings;
            }
          }
        }
        say(answer.message || "");
        document.body.dispatchEvent(new CustomEvent("rsc:activity"));
        return answer;
      });
    }

    function save(options) {
      window.clearTimeout(timer);
      if (paused) {
        return Promise.resolve();
      }
      if (inFlight) {
        return inFlight.then(function () {
          return save(options);
        });
      }
      var sent = serialize();
      if (sent === lastSaved) {
        markDirty();
        return Promise.resolve();
      }
      var body = new FormData(form);
      body.delete("csrfmiddlewaretoken");
      body.delete("then");
      say(messages.msgSaving);
      inFlight = fetch(form.dataset.autosaveUrl || form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        keepalive: Boolean(options && options.keepalive),
        headers: {
          "X-Autosave": "1",
          "X-CSRFToken": cookie(form.dataset.csrfCookie || "csrftoken"),
          Accept: "application/json",
        },
      })
        .then(function (response) {
          return handleAnswer(response, sent);
        })
        .catch(function () {
          say(messages.msgOffline);
          timer = window.setTimeout(save, 10000);
        })
        .then(function () {
          inFlight = null;
          markDirty();
          if (!paused && !signedOut && isDirty()) {
            schedule();
          }
        });
      return inFlight;
    }

    form.addEventListener("input", function () {
      markDirty();
      if (!paused && isDirty()) {
        schedule();
      }
    });
    form.addEventListener("change", function () {
      markDirty();
      if (!paused && isDirty()) {
        schedule();
      }
    });

    // A save already on its way changes the revision: wait for it, then submit.
    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      if (inFlight) {
        event.preventDefault();
        pendingSubmit = event.submitter || null;
        inFlight.then(function () {
          form.removeAttribute("data-dirty");
          form.requestSubmit(pendingSubmit);
        });
        return;
      }
      lastSaved = serialize();
      form.removeAttribute("data-dirty");
    });

    // Back from signing in again in another tab: save what is on the page.
    function retry() {
      if (signedOut && document.visibilityState === "visible") {
        lastSaved = "";
        save();
      }
    }
    window.addEventListener("focus", retry);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && isDirty() && !paused) {
        save({ keepalive: true });
      } else {
        retry();
      }
    });
    if (notice) {
      var retryButton = notice.querySelector("[data-retry]");
      if (retryButton) {
        retryButton.addEventListener("click", function () {
          lastSaved = "";
          save();
        });
      }
    }
    document.body.addEventListener("rsc:signed-out", function () {
      if (isDirty()) {
        showSignedOut(true);
      }
    });

    window.addEventListener("beforeunload", function (event) {
      if (form.hasAttribute("data-dirty")) {
        event.preventDefault();
      }
    });
  }

  // Questions to think with: one at a time, with a button for another.
  function setUpPrompts(list) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    if (items.length < 2 || !list.dataset.nextLabel) {
      return;
    }
    var current = 0;
    items.forEach(function (item, index) {
      item.hidden = index !== 0;
    });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm p-0 prompt-next";
    button.textContent = list.dataset.nextLabel;
    button.setAttribute("aria-controls", list.id);
    button.addEventListener("click", function () {
      items[current].hidden = true;
      current = (current + 1) % items.length;
      items[current].hidden = false;
    });
    list.parentNode.appendChild(button);
    list.setAttribute("aria-live", "polite");
  }

  function start() {
    document.querySelectorAll("form[data-autosave]").forEach(setUpForm);
    document.querySelectorAll(".prompt-list").forEach(setUpPrompts);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
