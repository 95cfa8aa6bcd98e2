/*
 * Preventiewijzer web chat widget. Plain JavaScript, no framework, no build step.
 *
 * Talks to Rasa's socketio channel on the same server (events user_uttered / bot_uttered,
 * session persistence on): on every (re)connect it sends `session_request` with the session id
 * kept in localStorage, and only sends messages after the server's `session_confirm`.
 * Rasa does not replay a conversation over socketio, so the widget keeps the visible messages
 * in localStorage too (per session id) and shows them again after a reload.
 *
 * Security: message content is only ever inserted with textContent / createElement; links are
 * made from http(s) URLs only. Never use innerHTML with message content here.
 */
(function () {
  "use strict";

  var SESSION_KEY = "preventiewijzer.session";
  var HISTORY_KEY = "preventiewijzer.history";
  var MAX_HISTORY = 300;
  var TYPING_TIMEOUT_MS = 30000;
  var URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]}'"»]+$/;

  var TEXT = {
    you: "Jij",
    bot: "Preventiewijzer",
    offline: "Geen verbinding met de server. Ik probeer het opnieuw…",
    connecting: "Verbinden met de server…",
    online: "De verbinding is er weer. Je kunt verder.",
    restart: "Opnieuw beginnen",
    choices: "Keuzes",
    word: "Samenvatting als Word-bestand (.docx)",
    pdf: "Samenvatting als PDF (.pdf)",
    markdown: "Samenvatting als tekst (.md)",
    confirmRestart: "Wil je opnieuw beginnen? Het gesprek op dit scherm wordt gewist.",
    newWindow: " (opent in een nieuw venster)",
    image: "Afbeelding van de Preventiewijzer",
  };

  var log = document.getElementById("pw-log");
  var form = document.getElementById("pw-form");
  var input = document.getElementById("pw-input");
  var restartButton = document.getElementById("pw-restart");
  var statusLine = document.getElementById("pw-status");
  var typing = document.getElementById("pw-typing");

  var sessionId = load(SESSION_KEY);
  var history = loadHistory();
  var confirmed = false; // session_confirm received on the current connection
  var lostConnection = false; // shown the "no connection" message: say when it is back
  var queue = []; // messages typed while there was no confirmed session
  var greeted = false; // asked for the greeting on this page already (not again on a reconnect)
  var typingTimer = null;
  var statusTimer = null;

  // ---------------------------------------------------------------- storage

  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null; // storage blocked: the chat still works, only without memory
    }
  }

  function save(key, value) {
    try {
      if (value === null) {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, value);
      }
    } catch (e) {
      /* storage full or blocked: ignore */
    }
  }

  function loadHistory() {
    var raw = load(HISTORY_KEY);
    if (!raw) return [];
    try {
      var data = JSON.parse(raw);
      if (data && data.session === sessionId && Array.isArray(data.items)) return data.items;
    } catch (e) {
      /* broken history: start empty */
    }
    return [];
  }

  function saveHistory() {
    if (history.length > MAX_HISTORY) history = history.slice(history.length - MAX_HISTORY);
    save(HISTORY_KEY, JSON.stringify({ session: sessionId, items: history }));
  }

  // ---------------------------------------------------------------- rendering

  function safeUrl(text) {
    try {
      var url = new URL(text);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch (e) {
      return null;
    }
  }

  function linkLabel(url) {
    var path = url.pathname.toLowerCase();
    if (path.indexOf("/summary/") !== -1 || path.indexOf("/export/") !== -1) {
      if (/\.docx$/.test(path)) return TEXT.word;
      if (/\.pdf$/.test(path)) return TEXT.pdf;
      if (/\.md$/.test(path)) return TEXT.markdown;
    }
    return url.href;
  }

  function makeLink(url) {
    var a = document.createElement("a");
    a.href = url.href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.className = "pw-link";
    a.textContent = linkLabel(url);
    var hint = document.createElement("span");
    hint.className = "pw-visually-hidden";
    hint.textContent = TEXT.newWindow;
    a.appendChild(hint);
    return a;
  }

  /* Append `text` to `parent` as text nodes, with http(s) URLs as links. */
  function appendText(parent, text) {
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var raw = match[0];
      var trailing = raw.match(TRAILING_PUNCTUATION);
      if (trailing) raw = raw.slice(0, raw.length - trailing[0].length);
      var url = raw ? safeUrl(raw) : null;
      if (!url) continue;
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      parent.appendChild(makeLink(url));
      last = match.index + raw.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function render(item, index) {
    var row = document.createElement("div");
    row.className = "pw-message pw-from-" + (item.from === "user" ? "user" : "bot");

    var who = document.createElement("span");
    who.className = "pw-visually-hidden";
    who.textContent = (item.from === "user" ? TEXT.you : TEXT.bot) + ": ";
    row.appendChild(who);

    if (item.text) {
      var bubble = document.createElement("p");
      bubble.className = "pw-bubble";
      if (item.from === "user") {
        bubble.textContent = item.text; // the user's own text: never turned into links or HTML
      } else {
        appendText(bubble, item.text);
      }
      row.appendChild(bubble);
    }

    if (item.image) {
      var url = safeUrl(item.image);
      if (url) {
        var img = document.createElement("img");
        img.className = "pw-image";
        img.src = url.href;
        img.alt = TEXT.image;
        row.appendChild(img);
      }
    }

    if (item.buttons && item.buttons.length) {
      var group = document.createElement("div");
      group.className = "pw-buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", TEXT.choices);
      item.buttons.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "pw-choice";
        button.textContent = choice.title;
        button.disabled = !!item.answered;
        button.addEventListener("click", function () {
          choose(index, choice);
        });
        group.appendChild(button);
      });
      row.appendChild(group);
    }

    log.appendChild(row);
    return row;
  }

  function renderAll() {
    while (log.firstChild) log.removeChild(log.firstChild);
    history.forEach(render);
    scrollDown();
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function add(item) {
    history.push(item);
    saveHistory();
    render(item, history.length - 1);
    scrollDown();
  }

  /* Earlier choices are answered once the user says something: their buttons go off. */
  function closeChoices() {
    var changed = false;
    history.forEach(function (item) {
      if (item.buttons && item.buttons.length && !item.answered) {
        item.answered = true;
        changed = true;
      }
    });
    if (changed) {
      saveHistory();
      Array.prototype.forEach.call(log.querySelectorAll(".pw-choice"), function (button) {
        button.disabled = true;
      });
    }
  }

  // ---------------------------------------------------------------- status

  function setStatus(text, kind, clearAfterMs) {
    window.clearTimeout(statusTimer);
    statusLine.textContent = text;
    statusLine.className = "pw-status" + (kind ? " pw-status-" + kind : "");
    if (clearAfterMs) {
      statusTimer = window.setTimeout(function () {
        statusLine.textContent = "";
        statusLine.className = "pw-status";
      }, clearAfterMs);
    }
  }

  function showTyping(on) {
    window.clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      typingTimer = window.setTimeout(function () {
        typing.hidden = true;
      }, TYPING_TIMEOUT_MS);
    }
  }

  // ---------------------------------------------------------------- sending

  var socket = window.io({ path: "/socket.io", reconnectionDelayMax: 10000 });

  function emit(payload) {
    if (confirmed && socket.connected) {
      socket.emit("user_uttered", { message: payload, session_id: sessionId });
    } else {
      queue.push(payload);
    }
  }

  function send(payload, shown) {
    closeChoices();
    add({ from: "user", text: shown });
    showTyping(true);
    emit(payload);
  }

  function choose(index, choice) {
    var item = history[index];
    if (!item || item.answered) return;
    send(choice.payload, choice.title);
    input.focus(); // the clicked button is now disabled: keep the focus in the chat
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    input.value = "";
    send(text, text);
    input.focus();
  });

  restartButton.addEventListener("click", function () {
    if (!window.confirm(TEXT.confirmRestart)) return;
    history = [];
    saveHistory();
    renderAll();
    send("/start_over", TEXT.restart);
    input.focus();
  });

  // ---------------------------------------------------------------- receiving

  function fromBot(data) {
    if (!data || typeof data !== "object") return;
    var item = { from: "bot", text: typeof data.text === "string" ? data.text : "" };
    var choices = data.quick_replies || data.buttons;
    if (Array.isArray(choices)) {
      item.buttons = choices
        .filter(function (b) {
          return b && typeof b.title === "string";
        })
        .map(function (b) {
          return { title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title };
        });
    }
    var attachment = data.attachment;
    if (attachment && attachment.type === "image" && attachment.payload && typeof attachment.payload.src === "string") {
      item.image = attachment.payload.src;
    }
    if (!item.text && !item.image && !(item.buttons && item.buttons.length)) return;
    showTyping(false);
    add(item);
  }

  socket.on("connect", function () {
    confirmed = false;
    socket.emit("session_request", { session_id: sessionId });
  });

  socket.on("session_confirm", function (id) {
    var confirmedId = typeof id === "string" ? id : id && id.session_id;
    if (!confirmedId) return;
    if (confirmedId !== sessionId) {
      sessionId = confirmedId;
      save(SESSION_KEY, sessionId);
      saveHistory();
    }
    confirmed = true;
    if (lostConnection) {
      setStatus(TEXT.online, "ok", 5000);
    } else {
      setStatus("", null);
    }
    lostConnection = false;
    var waiting = queue;
    queue = [];
    waiting.forEach(emit);
    if (!history.length && !waiting.length && !greeted) {
      // A new conversation: the assistant speaks first, so a new user knows where to start.
      greeted = true;
      showTyping(true);
      emit("/greet");
    }
  });

  socket.on("bot_uttered", fromBot);

  function offline() {
    confirmed = false;
    lostConnection = true;
    showTyping(false);
    setStatus(TEXT.offline, "error");
  }

  socket.on("disconnect", offline);
  socket.on("connect_error", offline);

  // ---------------------------------------------------------------- start

  renderAll();
  if (!socket.connected) setStatus(TEXT.connecting, null);
  // Ready to type at once; not on touch screens, where that would pop up the keyboard.
  if (!(window.matchMedia && window.matchMedia("(pointer: coarse)").matches)) input.focus();
})();
