// The Ombuds live chat widget. A marketplace embeds it with one tag:
//   <script src="https://desk.example/chat/widget.js" data-workspace="resale" async></script>
// Optional: data-language="nl" (otherwise the browser's language).
//
// Everything it draws lives in a shadow root, so the shop's CSS cannot reach in and ours
// cannot leak out. Every text shown comes from the desk (in the visitor's language), and
// everything a person typed is put on the page as text, never as markup. The chat's token
// is kept in localStorage, so a chat survives page loads; messages not yet confirmed by
// the desk are kept there too and sent again (with the same id) after a reconnect.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__ombudsChatLoaded) {
    return;
  }
  window.__ombudsChatLoaded = true;

  var workspace = script.getAttribute("data-workspace") || "";
  if (!/^[-a-zA-Z0-9_]+$/.test(workspace)) {
    return;
  }
  var base = new URL(script.src, window.location.href);
  var wantedLanguage = script.getAttribute("data-language") || navigator.language || "en";
  var storageKey = "ombuds-chat:" + base.origin + ":" + workspace;
  var PING_EVERY = 25000;
  var TYPING_EVERY = 2000;
  var TYPING_IDLE = 3000;
  var TYPING_SHOWN = 6000;
  var MAX_BACKOFF = 30000;

  // --- what survives a page load -------------------------------------------------------

  function load() {
    try {
      var kept = JSON.parse(window.localStorage.getItem(storageKey) || "{}");
      return {
        token: typeof kept.token === "string" ? kept.token : "",
        outbox: Array.isArray(kept.outbox) ? kept.outbox.slice(0, 20) : [],
      };
    } catch (e) {
      return { token: "", outbox: [] };
    }
  }

  var kept = load();

  function save() {
    try {
      window.localStorage.setItem(
        storageKey,
        JSON.stringify({ token: kept.token, outbox: kept.outbox })
      );
    } catch (e) {
      // Storage may be off (private mode): the chat then lasts as long as the page.
    }
  }

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  // --- drawing -------------------------------------------------------------------------

  var CSS = [
    ":host{all:initial !important;position:fixed !important;right:20px !important;",
    "bottom:20px !important;z-index:2147483000 !important;display:block !important;",
    "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif !important;",
    "color:#1d2433 !important;}",
    "*{box-sizing:border-box;}",
    "[hidden]{display:none !important;}",
    ".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;}",
    "button{font:inherit;cursor:pointer;}",
    ".launcher{display:flex;align-items:center;gap:8px;margin-left:auto;padding:12px 18px;",
    "border:0;border-radius:999px;background:#1746a2;color:#fff;font-weight:600;",
    "box-shadow:0 6px 20px rgba(20,40,90,.3);}",
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible{",
    "outline:3px solid #f5a524;outline-offset:2px;}",
    ".launcher svg{width:20px;height:20px;fill:currentColor;}",
    ".badge{min-width:20px;padding:0 6px;border-radius:999px;background:#e5484d;color:#fff;",
    "font-size:12px;line-height:20px;text-align:center;}",
    ".panel{display:flex;flex-direction:column;width:min(370px,calc(100vw - 40px));",
    "height:min(560px,calc(100vh - 100px));margin-bottom:12px;background:#fff;",
    "border:1px solid #d5dbe7;border-radius:14px;box-shadow:0 12px 40px rgba(20,40,90,.25);",
    "overflow:hidden;}",
    "header{display:flex;align-items:flex-start;gap:8px;padding:14px 14px 10px;",
    "background:#1746a2;color:#fff;}",
    "header .heading{flex:1;min-width:0;}",
    "h2{margin:0;font-size:16px;line-height:1.3;}",
    ".status{margin:2px 0 0;font-size:13px;opacity:.9;}",
    "header button{border:0;background:transparent;color:#fff;padding:4px 8px;border-radius:6px;}",
    "header .end{font-size:13px;text-decoration:underline;}",
    "header .close{font-size:20px;line-height:1;}",
    ".banner{margin:0;padding:6px 14px;background:#fff4d6;color:#5c4400;font-size:13px;}",
    ".log{flex:1;overflow-y:auto;margin:0;padding:12px 14px;list-style:none;background:#f6f8fc;}",
    ".intro{margin:0 0 10px;color:#4a5468;font-size:14px;}",
    ".msg{display:flex;flex-direction:column;max-width:85%;margin:0 0 10px;}",
    ".msg--visitor{margin-left:auto;align-items:flex-end;}",
    ".who{font-size:12px;color:#4a5468;margin-bottom:2px;}",
    ".bubble{margin:0;padding:8px 12px;border-radius:12px;background:#fff;border:1px solid #dfe4ee;",
    "white-space:pre-wrap;overflow-wrap:anywhere;}",
    ".msg--visitor .bubble{background:#1746a2;border-color:#1746a2;color:#fff;}",
    ".msg--pending .bubble{opacity:.65;}",
    ".meta{font-size:12px;color:#5b6475;margin-top:2px;}",
    ".typing{min-height:20px;margin:0;padding:0 14px;font-size:13px;color:#4a5468;",
    "background:#f6f8fc;}",
    ".note{margin:0;padding:10px 14px;border-top:1px solid #e3e8f1;font-size:14px;}",
    ".offline label{display:block;margin:8px 0 2px;font-size:13px;font-weight:600;}",
    ".offline input{width:100%;padding:8px;border:1px solid #b8c1d3;border-radius:8px;font:inherit;}",
    ".offline button,.ended button{margin-top:10px;padding:8px 14px;border:0;border-radius:8px;",
    "background:#1746a2;color:#fff;font-weight:600;}",
    ".composer{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #e3e8f1;background:#fff;}",
    ".composer textarea{flex:1;resize:none;padding:8px 10px;border:1px solid #b8c1d3;",
    "border-radius:10px;font:inherit;color:inherit;background:#fff;min-height:42px;max-height:120px;}",
    ".composer button{padding:0 16px;border:0;border-radius:10px;background:#1746a2;color:#fff;",
    "font-weight:600;}",
    ".error{margin:0;padding:6px 14px;background:#fde8e8;color:#8a1c1c;font-size:13px;}",
  ].join("");

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") {
        node.textContent = attrs[name];
      } else if (attrs[name] === true) {
        node.setAttribute(name, "");
      } else if (attrs[name] !== false && attrs[name] != null) {
        node.setAttribute(name, attrs[name]);
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  function format(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] == null ? "" : String(values[key]);
    });
  }

  function timeOf(iso) {
    var date = iso ? new Date(iso) : new Date();
    try {
      return date.toLocaleTimeString(ui.language, { hour: "2-digit", minute: "2-digit" });
    } catch (e) {
      return date.toTimeString().slice(0, 5);
    }
  }

  var ui = {};

  function build(config) {
    var t = config.texts;
    ui.texts = t;
    ui.language = config.language;
    ui.maxChars = config.max_chars || 2000;
    var host = document.createElement("ombuds-chat");
    var root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
      // A constructed sheet is not inline style: a shop's strict CSP does not block it.
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", { text: CSS }));
    }
    ui.badge = el("span", { class: "badge", hidden: true, "aria-hidden": "true" });
    ui.launcherLabel = el("span", { text: t.launcher });
    var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M4 4h16v12H7l-3 3V4zm3 4v2h10V8H7zm0 4v2h7v-2H7z");
    icon.appendChild(path);
    ui.launcher = el(
      "button",
      { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "panel" },
      [icon, ui.launcherLabel, ui.badge]
    );
    ui.status = el("p", { class: "status", id: "status" });
    ui.end = el("button", { class: "end", type: "button", text: t.end, hidden: true });
    ui.close = el("button", { class: "close", type: "button", "aria-label": t.close, text: "×" });
    var header = el("header", {}, [
      el("div", { class: "heading" }, [el("h2", { id: "title", text: t.title }), ui.status]),
      ui.end,
      ui.close,
    ]);
    ui.banner = el("p", { class: "banner", role: "status", hidden: true });
    ui.log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": t.log_label });
    ui.typing = el("p", { class: "typing", "aria-live": "polite" });
    ui.name = el("input", { id: "visitor-name", name: "name", autocomplete: "name", maxlength: "100" });
    ui.email = el("input", {
      id: "visitor-email",
      name: "email",
      type: "email",
      autocomplete: "email",
      required: true,
      maxlength: "254",
    });
    ui.offline = el("form", { class: "note offline", hidden: true, novalidate: true }, [
      el("p", { class: "offline-intro", text: t.offline_intro }),
      el("label", { for: "visitor-name", text: t.name_label }),
      ui.name,
      el("label", { for: "visitor-email", text: t.email_label }),
      ui.email,
      el("button", { type: "submit", text: t.email_send }),
    ]);
    ui.offlineDone = el("p", { class: "note offline-done", role: "status", hidden: true });
    ui.restart = el("button", { type: "button", text: t.new_chat });
    ui.ended = el("div", { class: "note ended", hidden: true }, [
      el("p", { text: t.ended }),
      ui.restart,
    ]);
    ui.input = el("textarea", {
      id: "message",
      rows: "1",
      maxlength: String(ui.maxChars),
      placeholder: t.placeholder,
    });
    ui.send = el("button", { type: "submit", text: t.send });
    ui.composer = el("form", { class: "composer" }, [
      el("label", { class: "vh", for: "message", text: t.input_label }),
      ui.input,
      ui.send,
    ]);
    ui.error = el("p", { class: "error", role: "alert", hidden: true });
    ui.panel = el(
      "section",
      {
        class: "panel",
        id: "panel",
        role: "dialog",
        "aria-labelledby": "title",
        "aria-describedby": "status",
        hidden: true,
      },
      [header, ui.banner, ui.log, ui.typing, ui.offline, ui.offlineDone, ui.ended, ui.composer, ui.error]
    );
    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    document.body.appendChild(host);
    wire();
    resetLog();
  }

  function resetLog() {
    ui.log.textContent = "";
    ui.log.appendChild(el("li", { class: "intro", text: ui.texts.intro }));
    ui.items = {};
  }

  function showError(text) {
    ui.error.textContent = text || "";
    ui.error.hidden = !text;
  }

  function errorText(code) {
    return ui.texts["error_" + code] || ui.texts.error_generic;
  }

  // One transcript line. Text goes in as text: whatever anyone typed stays inert.
  function drawMessage(message, pending) {
    var key = message.client_id || "m" + message.id;
    var item = ui.items[key] || (message.id && ui.items["m" + message.id]);
    var mine = message.author === "visitor";
    if (!item) {
      item = el("li", { class: "msg msg--" + (mine ? "visitor" : "agent") });
      item.who = el("span", { class: "who" });
      item.bubble = el("p", { class: "bubble" });
      item.meta = el("span", { class: "meta" });
      item.appendChild(item.who);
      item.appendChild(item.bubble);
      item.appendChild(item.meta);
      ui.log.appendChild(item);
    }
    ui.items[key] = item;
    if (message.id) {
      ui.items["m" + message.id] = item;
      item.messageId = message.id;
    }
    item.at = message.at || item.at || "";
    item.mine = mine;
    item.classList.toggle("msg--pending", !!pending);
    item.who.textContent = mine ? ui.texts.you : message.name || ui.texts.agent;
    item.bubble.textContent = message.text;
    item.meta.textContent = pending ? ui.texts.sending : timeOf(item.at);
    ui.log.scrollTop = ui.log.scrollHeight;
    return item;
  }

  function drawSeen() {
    // "Seen" under the visitor's latest message the agent has read.
    var latest = null;
    Object.keys(ui.items).forEach(function (key) {
      var item = ui.items[key];
      if (item.mine && item.messageId) {
        item.meta.textContent = timeOf(item.at);
        if (state.agentReadAt && new Date(item.at) <= new Date(state.agentReadAt)) {
          if (!latest || item.messageId > latest.messageId) {
            latest = item;
          }
        }
      }
    });
    if (latest) {
      latest.meta.textContent = timeOf(latest.at) + " · " + ui.texts.seen;
    }
  }

  // --- talking to the desk -------------------------------------------------------------

  var state = {
    socket: null,
    ready: false,
    attempts: 0,
    retryTimer: null,
    pingTimer: null,
    typingSentAt: 0,
    typingIdle: null,
    typingShown: null,
    unread: 0,
    ended: false,
    offline: false,
    agentReadAt: null,
    lastAgentMessage: 0,
    config: null,
  };

  function socketUrl() {
    var scheme = base.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + base.host + state.config.socket;
  }

  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    if (state.socket || state.ended) {
      return;
    }
    clearTimeout(state.retryTimer);
    ui.status.textContent = ui.texts.connecting;
    var socket = new WebSocket(socketUrl());
    state.socket = socket;
    socket.addEventListener("open", function () {
      send({ type: "hello", token: kept.token || null, language: wantedLanguage, page: window.location.href });
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      handle(frame);
    });
    socket.addEventListener("close", function () {
      if (state.socket !== socket) {
        return; // a socket this widget already let go of
      }
      state.socket = null;
      state.ready = false;
      clearInterval(state.pingTimer);
      if (state.ended) {
        return;
      }
      // Back off 1, 2, 4 … 30 s, with jitter so a restarted desk is not hit all at once.
      var delay = Math.min(MAX_BACKOFF, 1000 * Math.pow(2, state.attempts));
      delay = delay / 2 + Math.random() * (delay / 2);
      state.attempts += 1;
      ui.banner.textContent = ui.texts.reconnecting;
      ui.banner.hidden = false;
      state.retryTimer = setTimeout(connect, delay);
    });
  }

  function flushOutbox() {
    kept.outbox.forEach(function (pending) {
      send({ type: "message", id: pending.id, text: pending.text });
    });
  }

  function setStatus(status, agentsAvailable) {
    var t = ui.texts;
    state.offline = status === "offline";
    if (state.email) {
      ui.status.textContent = format(t.email_done, { email: state.email });
    } else if (agentsAvailable === false) {
      ui.status.textContent = t.unavailable;
    } else if (agentsAvailable === true || status === "active") {
      ui.status.textContent = t.available;
    }
    var askEmail = agentsAvailable === false && !state.email && !state.ended;
    ui.offline.hidden = !askEmail;
    ui.offlineDone.hidden = !state.email || state.ended;
    if (state.email) {
      ui.offlineDone.textContent = format(t.email_done, { email: state.email });
    }
  }

  function markRead() {
    if (!ui.panel.hidden && document.visibilityState === "visible" && state.lastAgentMessage) {
      send({ type: "read", until: state.lastAgentMessage });
      state.unread = 0;
      drawBadge();
    }
  }

  function drawBadge() {
    ui.badge.hidden = state.unread === 0;
    ui.badge.textContent = String(state.unread);
  }

  function endedNow() {
    state.ended = true;
    var socket = state.socket;
    state.socket = null;
    state.ready = false;
    clearInterval(state.pingTimer);
    if (socket) {
      socket.close();
    }
    kept.token = "";
    kept.outbox = [];
    save();
    ui.ended.hidden = false;
    ui.composer.hidden = true;
    ui.offline.hidden = true;
    ui.end.hidden = true;
    ui.typing.textContent = "";
    ui.banner.hidden = true;
    clearTimeout(state.retryTimer);
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome":
        kept.token = frame.token;
        save();
        state.ready = true;
        state.attempts = 0;
        state.email = frame.email || "";
        state.agentReadAt = frame.agent_read_at;
        ui.banner.hidden = true;
        ui.end.hidden = false;
        if (frame.name && !ui.name.value) {
          ui.name.value = frame.name;
        }
        resetLog();
        (frame.transcript || []).forEach(function (message) {
          drawMessage(message, false);
          if (message.author === "agent") {
            state.lastAgentMessage = Math.max(state.lastAgentMessage, message.id);
          }
        });
        kept.outbox.forEach(function (pending) {
          drawMessage({ client_id: pending.id, author: "visitor", text: pending.text }, true);
        });
        drawSeen();
        setStatus(frame.status, frame.agents_available);
        flushOutbox();
        markRead();
        clearInterval(state.pingTimer);
        state.pingTimer = setInterval(function () {
          send({ type: "ping" });
        }, PING_EVERY);
        break;
      case "ack":
        kept.outbox = kept.outbox.filter(function (pending) {
          return pending.id !== frame.id;
        });
        save();
        drawMessage(frame.message, false);
        drawSeen();
        setStatus(frame.status, frame.agents_available);
        break;
      case "message":
        drawMessage(frame.message, false);
        if (frame.message.author === "agent") {
          state.lastAgentMessage = Math.max(state.lastAgentMessage, frame.message.id);
          ui.typing.textContent = "";
          if (ui.panel.hidden || document.visibilityState !== "visible") {
            state.unread += 1;
            drawBadge();
          }
          markRead();
        }
        drawSeen();
        break;
      case "typing":
        clearTimeout(state.typingShown);
        ui.typing.textContent = frame.typing
          ? frame.name
            ? format(ui.texts.typing, { name: frame.name })
            : ui.texts.someone_typing
          : "";
        if (frame.typing) {
          state.typingShown = setTimeout(function () {
            ui.typing.textContent = "";
          }, TYPING_SHOWN);
        }
        break;
      case "read":
        state.agentReadAt = frame.at;
        drawSeen();
        break;
      case "offline":
        state.email = frame.email;
        setStatus("offline", false);
        break;
      case "status":
        if (frame.status !== "ended") {
          setStatus(frame.status);
        }
        break;
      case "ended":
        endedNow();
        break;
      case "error":
        if (frame.code === "unknown_chat") {
          // The desk does not know this token (any more): start afresh.
          kept.token = "";
          save();
          send({ type: "hello", token: null, language: wantedLanguage, page: window.location.href });
          return;
        }
        if (frame.id) {
          var retry = frame.code === "rate_limited" || frame.code === "server_error" || frame.code === "not_stored_yet";
          if (!retry) {
            kept.outbox = kept.outbox.filter(function (pending) {
              return pending.id !== frame.id;
            });
            save();
            var item = ui.items[frame.id];
            if (item) {
              item.remove();
              delete ui.items[frame.id];
            }
          } else {
            var waiting = ui.items[frame.id];
            if (waiting) {
              waiting.meta.textContent = ui.texts.not_sent;
            }
            setTimeout(flushOutbox, 5000);
          }
        }
        showError(errorText(frame.code));
        break;
      default:
        break;
    }
  }

  // --- the visitor's hands -------------------------------------------------------------

  function openPanel() {
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcherLabel.textContent = ui.texts.close;
    connect();
    state.unread = 0;
    drawBadge();
    markRead();
    (ui.composer.hidden ? ui.restart : ui.input).focus();
  }

  function closePanel() {
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcherLabel.textContent = ui.texts.launcher;
    ui.launcher.focus();
  }

  function submitMessage() {
    var text = ui.input.value.trim();
    if (!text || state.ended) {
      return;
    }
    if (text.length > ui.maxChars) {
      showError(errorText("message_too_long"));
      return;
    }
    showError("");
    var pending = { id: newId(), text: text };
    kept.outbox.push(pending);
    save();
    drawMessage({ client_id: pending.id, author: "visitor", text: text }, true);
    ui.input.value = "";
    stopTyping();
    if (state.ready) {
      send({ type: "message", id: pending.id, text: text });
    } else {
      connect();
    }
  }

  function stopTyping() {
    clearTimeout(state.typingIdle);
    if (state.typingSentAt) {
      state.typingSentAt = 0;
      send({ type: "typing", typing: false });
    }
  }

  function wire() {
    ui.launcher.addEventListener("click", function () {
      if (ui.panel.hidden) {
        openPanel();
      } else {
        closePanel();
      }
    });
    ui.close.addEventListener("click", closePanel);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closePanel();
      }
    });
    ui.composer.addEventListener("submit", function (event) {
      event.preventDefault();
      submitMessage();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitMessage();
      }
    });
    ui.input.addEventListener("input", function () {
      if (!state.ready) {
        return;
      }
      var now = Date.now();
      if (now - state.typingSentAt > TYPING_EVERY) {
        state.typingSentAt = now;
        send({ type: "typing", typing: true });
      }
      clearTimeout(state.typingIdle);
      state.typingIdle = setTimeout(stopTyping, TYPING_IDLE);
    });
    ui.offline.addEventListener("submit", function (event) {
      event.preventDefault();
      var email = ui.email.value.trim();
      if (!email || email.indexOf("@") < 1) {
        showError(errorText("invalid_email"));
        ui.email.focus();
        return;
      }
      showError("");
      send({ type: "email", email: email, name: ui.name.value.trim() });
    });
    ui.end.addEventListener("click", function () {
      if (!send({ type: "end" })) {
        endedNow();
      }
    });
    ui.restart.addEventListener("click", function () {
      state.ended = false;
      state.email = "";
      state.agentReadAt = null;
      state.lastAgentMessage = 0;
      ui.ended.hidden = true;
      ui.composer.hidden = false;
      resetLog();
      connect();
      ui.input.focus();
    });
    document.addEventListener("visibilitychange", markRead);
  }

  // --- start ---------------------------------------------------------------------------

  function start() {
    var url =
      base.origin +
      "/chat/" +
      encodeURIComponent(workspace) +
      "/widget.json?lang=" +
      encodeURIComponent(wantedLanguage);
    fetch(url, { credentials: "omit", mode: "cors" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("chat settings: " + response.status);
        }
        return response.json();
      })
      .then(function (config) {
        state.config = config;
        build(config);
        if (kept.token) {
          // An ongoing chat: connect now, so replies arrive while the panel is closed.
          connect();
        }
      })
      .catch(function () {
        // No chat for this site (or the desk is unreachable): the page stays as it is.
      });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
