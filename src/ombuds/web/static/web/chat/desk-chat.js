// The desk's side of live chat. Every desk page of a workspace keeps one websocket open:
// that is what makes its agent "available" for chats, and it keeps the "Live chats" count
// in the top bar current. On a chat case page it also watches the case: the visitor's
// messages and reads reload the timeline (rendered and escaped by the server, like every
// other page), their typing shows beside the composer, and the agent's typing reaches the
// visitor. Every word shown comes from the page's data attributes.
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="ombuds-desk-socket"]');
  if (!meta || !window.WebSocket) {
    return;
  }
  var url = (location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + meta.content;
  var PING_EVERY = 25000;
  var TYPING_EVERY = 2000;
  var TYPING_IDLE = 3000;
  var TYPING_SHOWN = 6000;

  var panel = document.getElementById("chat-panel");
  var caseRef = panel ? panel.getAttribute("data-case") : "";
  var socket = null;
  var attempts = 0;
  var pingTimer = null;
  var typingSentAt = 0;
  var typingIdle = null;
  var typingShown = null;
  var reloading = null;

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
    }
  }

  function showWaiting(count) {
    var badge = document.getElementById("live-chats-count");
    if (badge) {
      badge.textContent = String(count);
      badge.hidden = !count;
    }
  }

  // Swap a fragment for a fresh copy from the server (the same escaped markup a full page
  // load would show), keeping htmx behaviour on the new nodes.
  function reload(id, fragmentUrl) {
    var current = document.getElementById(id);
    if (!current || !fragmentUrl) {
      return Promise.resolve();
    }
    return fetch(fragmentUrl, {
      credentials: "same-origin",
      headers: { "HX-Request": "true", "HX-Target": id },
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (markup) {
        if (!markup) {
          return;
        }
        var template = document.createElement("template");
        template.innerHTML = markup;
        var fresh = template.content.getElementById(id);
        var old = document.getElementById(id);
        if (fresh && old) {
          old.replaceWith(fresh);
          if (window.htmx) {
            window.htmx.process(fresh);
          }
        }
      })
      .catch(function () {});
  }

  function reloadTimeline() {
    // Several events in a burst (message, read) cost one reload.
    clearTimeout(reloading);
    reloading = setTimeout(function () {
      reload("timeline", panel.getAttribute("data-timeline-url")).then(markRead);
    }, 150);
  }

  function reloadList() {
    var list = document.getElementById("live-chats");
    if (list) {
      reload("live-chats", list.getAttribute("data-url"));
    }
  }

  function latestVisitorMessage() {
    var items = document.querySelectorAll("#timeline .msg--inbound[id^='message-']");
    if (!items.length) {
      return null;
    }
    return parseInt(items[items.length - 1].id.replace("message-", ""), 10);
  }

  function markRead() {
    if (!panel || document.visibilityState !== "visible") {
      return;
    }
    var until = latestVisitorMessage();
    if (until) {
      send({ type: "read", case: caseRef, until: until });
    }
  }

  function setPresence(online) {
    var label = panel.querySelector("[data-chat-presence]");
    var state = panel.querySelector("[data-chat-state]");
    label.textContent = panel.getAttribute(online ? "data-label-online" : "data-label-away");
    label.className = "presence presence--" + (online ? "online" : "offline");
    state.textContent = panel.getAttribute(online ? "data-online" : "data-offline");
  }

  function showTyping(typing) {
    var line = panel.querySelector("[data-chat-typing]");
    clearTimeout(typingShown);
    line.textContent = typing ? panel.getAttribute("data-typing") : "";
    if (typing) {
      typingShown = setTimeout(function () {
        line.textContent = "";
      }, TYPING_SHOWN);
    }
  }

  function handle(frame) {
    switch (frame.type) {
      case "hello":
        attempts = 0;
        showWaiting(frame.waiting);
        if (panel) {
          send({ type: "watch", case: caseRef });
        }
        break;
      case "chats":
        showWaiting(frame.waiting);
        reloadList();
        break;
      case "watching":
        setPresence(frame.online);
        markRead();
        break;
      case "message":
        showTyping(false);
        reloadTimeline();
        break;
      case "read":
        if (frame.who === "visitor") {
          reloadTimeline();
        }
        break;
      case "typing":
        showTyping(frame.typing);
        break;
      case "presence":
        setPresence(frame.online);
        break;
      case "status":
        var label = panel.getAttribute("data-status-" + frame.status);
        if (label) {
          panel.querySelector("[data-chat-status]").textContent = "· " + label;
        }
        break;
      default:
        break;
    }
  }

  function connect() {
    socket = new WebSocket(url);
    socket.addEventListener("message", function (event) {
      try {
        handle(JSON.parse(event.data));
      } catch (e) {
        // A frame this page does not understand changes nothing.
      }
    });
    socket.addEventListener("open", function () {
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        send({ type: "ping" });
      }, PING_EVERY);
    });
    socket.addEventListener("close", function () {
      clearInterval(pingTimer);
      socket = null;
      var delay = Math.min(30000, 1000 * Math.pow(2, attempts));
      attempts += 1;
      setTimeout(connect, delay / 2 + Math.random() * (delay / 2));
    });
  }

  function stopTyping() {
    clearTimeout(typingIdle);
    if (typingSentAt) {
      typingSentAt = 0;
      send({ type: "typing", case: caseRef, typing: false });
    }
  }

  if (panel) {
    document.addEventListener("input", function (event) {
      if (!event.target.closest || !event.target.closest("#reply-form")) {
        return;
      }
      var now = Date.now();
      if (now - typingSentAt > TYPING_EVERY) {
        typingSentAt = now;
        send({ type: "typing", case: caseRef, typing: true });
      }
      clearTimeout(typingIdle);
      typingIdle = setTimeout(stopTyping, TYPING_IDLE);
    });
    document.addEventListener("submit", function (event) {
      if (event.target.closest && event.target.closest("#reply-form")) {
        stopTyping();
      }
    });
    document.addEventListener("visibilitychange", markRead);
  }

  connect();
})();
