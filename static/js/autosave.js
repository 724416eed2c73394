// RSC Records: autosave for long writing. Text goes to the server a moment after typing
// stops, only when something changed; never to browser storage. Without JavaScript the
// forms still save normally with their buttons.
(function () {
  "use strict";

  var DELAY = 2000;
  // The autosaving forms of the page, each with a way to ask whether it holds unsaved words and
  // to save them now: any other form of the page waits for them before it is sent.
  var editors = [];

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Signing in again (in another tab) gives a new CSRF secret in the cookie; the tokens
  // printed in this page's forms are then stale and a normal submit would be refused.
  // Django accepts the unmasked secret from the cookie as the form token too.
  function refreshCsrfTokens(cookieName) {
    var token = cookie(cookieName);
    if (!token) {
      return;
    }
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      input.value = token;
    });
  }

  function setUpForm(form) {
    var status = form.querySelector("[data-autosave-status]") || document.getElementById("autosave-status");
    var conflictRegion = form.querySelector("#conflict-region");
    var warningRegion = form.querySelector("#identifying-region");
    var notice = form.querySelector(".signed-out-notice");
    // The hidden field naming the saved state this editor started from ("revision", or as the form says).
    var revisionField = form.dataset.revisionField || "revision";
    var revision = form.querySelector('input[name="' + revisionField + '"]');
    var messages = form.dataset;
    var csrfCookie = form.dataset.csrfCookie || "csrftoken";
    var timer = null;
    var inFlight = null;
    var paused = false;
    var signedOut = false;
    var pendingSubmit = null;
    // The field last written in, to come back to when a panel the person acted on goes away.
    var lastField = null;

    form.addEventListener("focusin", function (event) {
      if (event.target.matches("textarea, input[type=text]")) {
        lastField = event.target;
      }
    });

    function serialize() {
      var data = new FormData(form);
      data.delete("csrfmiddlewaretoken");
      data.delete(revisionField);
      data.delete("then");
      return new URLSearchParams(data).toString();
    }

    var lastSaved = serialize();

    // The page came back from a save refused for a conflict, with both texts side by side:
    // autosaving now would quietly overwrite the other text, so wait for the person's choice
    // (one of the panel's buttons, or saving the form).
    if (conflictRegion && conflictRegion.querySelector("[data-keep-mine]")) {
      paused = true;
      say(messages.msgConflict, conflictRegion, messages.msgShowConflict);
      lastSaved = ""; // what is in the form is not saved: leaving the page asks first
      markDirty();
    } else if (warningRegion && warningRegion.querySelector("[role=alert]")) {
      // Saving was stopped to point out a passage: the words on the page are not on the server
      // yet. Autosave keeps them, as it does while typing; the warning stays until answered.
      lastSaved = "";
      window.setTimeout(save, 0);
    }

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

    function focusLastField() {
      if (lastField && document.contains(lastField)) {
        lastField.focus();
      }
    }

    // The status line, with a button to a panel further up the page when there is one to see:
    // people are usually writing far below where conflicts and warnings appear.
    function say(text, region, label) {
      if (!status) {
        return;
      }
      var key = text + "|" + (region && label ? label : "");
      if (status.dataset.said === key) {
        return;
      }
      status.dataset.said = key;
      status.textContent = text;
      if (region && label) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-link btn-sm p-0 align-baseline autosave-status-link";
        button.textContent = label;
        button.addEventListener("click", function () {
          var panel = region.querySelector("[role=alert]") || region;
          panel.setAttribute("tabindex", "-1");
          panel.focus();
        });
        status.appendChild(document.createTextNode(" "));
        status.appendChild(button);
      }
    }

    // A sticky bar of buttons at the bottom (the reflection editor): fields scrolled or focused
    // into view keep clear of it, whatever its height (CSS reads --rsc-save-bar-height).
    var bar = form.querySelector(".save-bar");

    function measureBar() {
      if (bar) {
        document.documentElement.style.setProperty("--rsc-save-bar-height", bar.offsetHeight + "px");
      }
    }

    if (bar && window.ResizeObserver) {
      new ResizeObserver(measureBar).observe(bar);
    }

    function showSignedOut(show) {
      var changed = signedOut !== show;
      signedOut = show;
      if (notice) {
        notice.hidden = !show;
      }
      if (show) {
        // The notice says it all; the status line would only repeat it.
        say(notice ? "" : messages.msgSignedOut);
      }
      if (changed && bar && bar.contains(notice)) {
        // The notice makes the bar taller: keep the line being written in view above it.
        measureBar();
        var active = document.activeElement;
        if (active && form.contains(active) && active.matches("textarea, input")) {
          active.scrollIntoView({ block: "nearest" });
        }
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
      if ((response.headers.get("Content-Type") || "").indexOf("application/json") === -1) {
        // Not an answer from the autosave (such as a page for a reflection deleted meanwhile).
        say(messages.msgNotSaved);
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
                if (revision) {
                  revision.value = keep.dataset.revision;
                }
                conflictRegion.innerHTML = "";
                paused = false;
                lastSaved = "";
                focusLastField();
                save();
              });
            }
          }
          say(messages.msgConflict, conflictRegion, messages.msgShowConflict);
          return null;
        }
        if (!response.ok) {
          if (answer.locked) {
            // Signed (or closed) in another tab: saving again would only fail again. The words
            // stay in the page, and leaving it still asks first.
            paused = true;
          }
          say(answer.message || messages.msgNotSaved);
          return null;
        }
        if (signedOut) {
          refreshCsrfTokens(csrfCookie);
        }
        showSignedOut(false);
        if (answer.saved) {
          lastSaved = sent;
          if (revision && answer.revision !== undefined) {
            revision.value = answer.revision;
          }
          if (answer.created && answer.edit_url) {
            form.action = answer.edit_url;
            window.history.replaceState(null, "", answer.edit_url);
          }
          if (warningRegion && typeof answer.warnings === "string") {
            // Once the server has kept the ticked passages, the warning goes (and its box with it,
            // so that passages written later are pointed out again rather than kept unseen).
            var keptNow = new URLSearchParams(sent).has("keep_identifying");
            var keepBox = warningRegion.querySelector("input[name=keep_identifying]");
            var ticked = keepBox && keepBox.checked;
            if ((keptNow || !ticked) && warningRegion.innerHTML.trim() !== answer.warnings.trim()) {
              var hadFocus = warningRegion.contains(document.activeElement);
              warningRegion.innerHTML = answer.warnings;
              if (hadFocus) {
                focusLastField();
              }
            }
          }
        }
        var warned = warningRegion && warningRegion.querySelector("[role=alert]");
        say(answer.message || "", warned ? warningRegion : null, messages.msgShowWarning);
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
          "X-CSRFToken": cookie(csrfCookie),
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
      if (signedOut) {
        // Submitting now would lose the words on the way to the sign-in page: save them first
        // (which works once signed in again in another tab), then submit.
        event.preventDefault();
        pendingSubmit = event.submitter || null;
        lastSaved = "";
        save().then(function () {
          if (!signedOut && !paused) {
            form.requestSubmit(pendingSubmit);
          } else if (notice) {
            var signIn = notice.querySelector("a");
            if (signIn) {
              signIn.focus();
            }
          }
        });
        return;
      }
      refreshCsrfTokens(csrfCookie);
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

    editors.push({
      form: form,
      busy: function () {
        return Boolean(inFlight) || (!paused && isDirty());
      },
      // Save what is typed now; true once the server has it all (not when paused by a conflict,
      // signed out or refused: the page then says why, and keeps the words).
      flush: function () {
        function clean() {
          return !inFlight && !isDirty();
        }
        return save().then(function () {
          if (clean() || paused || signedOut) {
            return clean();
          }
          // Typed again while the save was on its way: once more.
          return save().then(clean);
        });
      },
    });
  }

  // Another form of the page (adding a follow-up, signing, signing out...) would leave the page
  // with words not saved yet, and the browser would ask "Leave site?". It waits for the words
  // to be saved instead, then goes ahead.
  function waitForEditors(event) {
    var other = event.target;
    if (!(other instanceof HTMLFormElement) || other.hasAttribute("data-autosave") || event.defaultPrevented) {
      return;
    }
    var busy = editors.filter(function (editor) {
      return document.contains(editor.form) && editor.busy();
    });
    if (!busy.length) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter && event.submitter.form === other ? event.submitter : null;
    Promise.all(
      busy.map(function (editor) {
        return editor.flush();
      })
    ).then(function (results) {
      if (results.every(Boolean)) {
        // Everything is saved: this submit goes through without waiting.
        other.requestSubmit(submitter);
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
    if (editors.length) {
      document.addEventListener("submit", waitForEditors, true);
    }
    document.querySelectorAll(".prompt-list").forEach(setUpPrompts);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
