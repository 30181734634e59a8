// Waiting-room display: shows the state the server pushes (server-sent events), plays the
// chime + speech of each call, keeps the last state while disconnected and reconnects by
// itself (a watchdog also catches a silently dead connection).
(function () {
  "use strict";
  var WATCHDOG_MS = 30000, RETRY_MS = 2000;
  var source = null, lastHeard = 0, skewMs = 0, offsetMin = 420;
  var queue = [], playing = false, played = [];  // the last call ids said
  var $ = function (id) { return document.getElementById(id); };

  function text(el, value) { el.textContent = value; }

  function render(state) {
    skewMs = state.server_ms - Date.now();
    offsetMin = state.utc_offset_min;
    text($("office"), state.office);
    var grid = $("counters");
    grid.textContent = "";
    grid.className = "grid n" + Math.min(state.counters.length, 9);
    var called = state.call ? state.call.counter : null;
    state.counters.forEach(function (c) {
      var tile = document.createElement("div");
      tile.className = "tile" + (c.name === called ? " fresh" : "");
      tile.setAttribute("data-counter", c.name);
      var name = document.createElement("div");
      name.className = "name"; text(name, c.name);
      var num = document.createElement("div");
      num.className = "number" + (c.number ? "" : " idle"); text(num, c.number || "—");
      tile.appendChild(name); tile.appendChild(num);
      grid.appendChild(tile);
    });
    fit(grid);
    var list = $("recent");
    list.textContent = "";
    state.recent.forEach(function (r) {
      var li = document.createElement("li");
      var b = document.createElement("b"); text(b, r.number);
      li.appendChild(b);
      li.appendChild(document.createTextNode(" \u2192 " + r.counter + " "));
      var t = document.createElement("small"); text(t, r.at);
      li.appendChild(t);
      list.appendChild(li);
    });
    // With several server processes a call may come twice (from the process that took it
    // and from this one's look at the database): one call id is said once.
    var fresh = state.call && !(state.call.id != null && played.indexOf(state.call.id) >= 0);
    if (fresh) {
      if (state.call.id != null) { played = played.slice(-49).concat([state.call.id]); }
      text($("said"), state.call.text);
      queue.push(state.call.audio);
      playNext();
    }
    document.body.setAttribute("data-updated", String(Date.now()));
  }

  // One size for every number: as large as the CSS allows (17vh), smaller only when the
  // longest number (e.g. A12-004) would not fit its tile.
  function fit(grid) {
    var nums = grid.querySelectorAll(".number");
    var scale = 1;
    nums.forEach(function (n) { n.style.fontSize = ""; });
    nums.forEach(function (n) {
      var room = n.parentNode.clientWidth * 0.94;
      if (n.scrollWidth > room) { scale = Math.min(scale, room / n.scrollWidth); }
    });
    if (scale < 1) {
      nums.forEach(function (n) {
        n.style.fontSize = (parseFloat(getComputedStyle(n).fontSize) * scale) + "px";
      });
    }
  }

  function playNext() {
    if (playing || !queue.length) { return; }
    playing = true;
    var audio = new Audio(queue.shift());
    var done = function () { playing = false; playNext(); };
    audio.onended = done; audio.onerror = done;
    var p = audio.play();
    if (p && p.then) {
      p.then(function () {
        var n = Number(document.body.getAttribute("data-played") || "0") + 1;
        document.body.setAttribute("data-played", String(n));
      }, function () { $("sound").hidden = false; done(); });
    }
  }

  function tick() {
    var d = new Date(Date.now() + skewMs + offsetMin * 60000);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    text($("clock"), pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" +
         pad(d.getUTCSeconds()));
    if (source && Date.now() - lastHeard > WATCHDOG_MS) { reconnect(); }
  }

  function online(yes) {
    $("offline").hidden = yes;
    document.body.setAttribute("data-online", yes ? "1" : "0");
  }

  function connect() {
    source = new EventSource("/display/events" + location.search);
    lastHeard = Date.now();
    source.addEventListener("state", function (e) {
      lastHeard = Date.now(); online(true); render(JSON.parse(e.data));
    });
    source.addEventListener("ping", function () { lastHeard = Date.now(); online(true); });
    source.onerror = function () {
      online(false);
      if (source.readyState === EventSource.CLOSED) { reconnect(); }
    };
  }

  function reconnect() {
    if (source) { source.close(); source = null; }
    online(false);
    setTimeout(connect, RETRY_MS);
  }

  document.addEventListener("click", function () { $("sound").hidden = true; });
  window.addEventListener("resize", function () { fit($("counters")); });
  setInterval(tick, 1000);
  connect();
})();
