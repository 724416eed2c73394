// RSC Records: small progressive enhancements. No inline script anywhere (CSP).
(function () {
  "use strict";

  // Idle-timeout warning. The server is the authority on how long is left:
  // another tab may have kept the session alive, so ask before warning.
  function setUpSessionWarning() {
    var body = document.body;
    var dialog = document.getElementById("session-warning");
    if (!dialog || !body.dataset.sessionIdle) {
      return;
    }
    var warningSeconds = parseInt(body.dataset.sessionWarning, 10);
    var idleSeconds = parseInt(body.dataset.sessionIdle, 10);
    var statusUrl = body.dataset.sessionStatusUrl;
    var loginUrl = body.dataset.loginUrl;
    var form = dialog.querySelector("form");
    var countdown = dialog.querySelector(".countdown");
    var idleText = dialog.querySelector(".idle-text");
    var absoluteText = dialog.querySelector(".absolute-text");
    var stayButton = dialog.querySelector(".stay-signed-in");
    var closeButton = dialog.querySelector(".close-warning");
    var timer = null;
    var ticker = null;
    var deadline = 0;

    function schedule(seconds) {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, Math.max(1, seconds) * 1000);
    }

    function signedOut() {
      // Unsaved writing stays on the page: the autosave offers to sign in again in a new tab.
      if (document.querySelector("form[data-dirty]")) {
        hideWarning();
        document.body.dispatchEvent(new CustomEvent("rsc:signed-out"));
        return;
      }
      var next = window.location.pathname + window.location.search;
      window.location.assign(loginUrl + "?next=" + encodeURIComponent(next));
    }

    function formatSeconds(seconds) {
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      return minutes + ":" + (rest < 10 ? "0" : "") + rest;
    }

    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = formatSeconds(left);
    }

    function showWarning(left, absolute) {
      idleText.hidden = absolute;
      absoluteText.hidden = !absolute;
      stayButton.hidden = absolute;
      deadline = Date.now() + left * 1000;
      tick();
      window.clearInterval(ticker);
      ticker = window.setInterval(tick, 1000);
      if (!dialog.open) {
        dialog.showModal();
        (absolute ? closeButton : stayButton).focus();
      }
    }

    function hideWarning() {
      window.clearInterval(ticker);
      if (dialog.open) {
        dialog.close();
      }
    }

    function check() {
      fetch(statusUrl, { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("signed out");
          }
          return response.json();
        })
        .then(function (left) {
          var soonest = Math.min(left.idle, left.absolute);
          if (soonest <= 0) {
            signedOut();
          } else if (soonest <= warningSeconds) {
            showWarning(soonest, left.absolute <= left.idle);
            schedule(soonest);
          } else {
            hideWarning();
            schedule(soonest - warningSeconds);
          }
        })
        .catch(signedOut);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("signed out");
          }
          return response.json();
        })
        .then(function () {
          hideWarning();
          schedule(idleSeconds - warningSeconds);
        })
        .catch(signedOut);
    });

    closeButton.addEventListener("click", function () {
      window.clearInterval(ticker);
      dialog.close();
    });

    // Requests this page makes for the person (htmx) reset the server's clock,
    // so the warning moves back too.
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var headers = (event.detail.requestConfig && event.detail.requestConfig.headers) || {};
      if (headers["X-Background-Refresh"] === "1") {
        return; // A self-refreshing fragment is not the person being there.
      }
      schedule(idleSeconds - warningSeconds);
    });

    // So does an autosave of what the person is writing.
    document.body.addEventListener("rsc:activity", function () {
      hideWarning();
      schedule(idleSeconds - warningSeconds);
    });

    schedule(idleSeconds - warningSeconds);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpSessionWarning);
  } else {
    setUpSessionWarning();
  }
})();
