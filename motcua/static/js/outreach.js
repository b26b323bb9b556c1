/* Một Cửa Số — the community team's record form, offline first.
   Records are queued in IndexedDB with a client-generated id and sent in batches when the network is
   there. The server answers per record: created / duplicate (already synced) → removed from the phone;
   rejected → kept and shown with the reason, never dropped. Without this script the form still posts. */
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  if (!form || !window.indexedDB || !window.fetch) return;
  var list = document.getElementById("queue");
  var status = document.getElementById("sync-status");
  var button = document.getElementById("sync-now");
  var DB = "motcua-outreach", STORE = "queue";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "client_id" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), out = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function put(r) { return tx("readwrite", function (s) { s.put(r); }); }
  function remove(id) { return tx("readwrite", function (s) { s["delete"](id); }); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
  }
  function say(text) { status.textContent = text; }

  function render() {
    return all().then(function (items) {
      list.innerHTML = "";
      items.forEach(function (r) {
        var li = document.createElement("li");
        li.textContent = r.full_name + " — " + r.date + (r.errors ? " — Bị từ chối: " + Object.values(r.errors).join("; ") : " — chờ gửi");
        if (r.errors) {
          var del = document.createElement("button");
          del.type = "button"; del.className = "link-button"; del.textContent = "Xóa bản ghi này";
          del.addEventListener("click", function () { remove(r.client_id).then(render); });
          li.appendChild(document.createTextNode(" ")); li.appendChild(del);
        }
        list.appendChild(li);
      });
      document.getElementById("queue-count").textContent = String(items.length);
      return items;
    });
  }

  function consentOk(r) { return r.consent || (!r.citizen_id && !r.phone); }
  function showConsentError(on) {
    var field = document.getElementById("consent"), message = document.getElementById("consent-error");
    if (on && !message) {
      message = document.createElement("p");
      message.id = "consent-error"; message.className = "error-message";
      message.textContent = form.dataset.consentError;
      field.insertBefore(message, field.firstChild);
      document.getElementById("consent-box").setAttribute("aria-describedby", "consent-error");
    } else if (!on && message) {
      message.remove();
      document.getElementById("consent-box").removeAttribute("aria-describedby");
    }
    field.classList.toggle("field-error", on);
    if (on) say(form.dataset.consentError);
  }

  var syncing = false;
  function sync() {
    if (syncing) return Promise.resolve();
    return all().then(function (items) {
      var unconsented = items.filter(function (r) { return !r.errors && !consentOk(r); });
      unconsented.forEach(function (r) { r.errors = { consent: form.dataset.consentError }; });
      var pending = items.filter(function (r) { return !r.errors; });
      if (unconsented.length) { return Promise.all(unconsented.map(put)).then(function () { return render(); }).then(sync); }
      if (!pending.length) { say(items.length ? "Còn bản ghi bị từ chối: hãy sửa hoặc xóa." : "Không có bản ghi chờ gửi."); return; }
      if (!navigator.onLine) { say("Đang ngoại tuyến: " + pending.length + " bản ghi sẽ được gửi khi có mạng."); return; }
      syncing = true; say("Đang gửi " + pending.length + " bản ghi…");
      var body = { records: pending.map(function (r) { var c = Object.assign({}, r); delete c.errors; return c; }) };
      return fetch(form.dataset.api, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
        body: JSON.stringify(body)
      }).then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      }).then(function (data) {
        var done = 0, rejected = 0;
        return Promise.all(data.results.map(function (r) {
          if (r.status === "created" || r.status === "duplicate") { done++; return remove(r.client_id); }
          rejected++;
          // By position first: a record refused for its client_id comes back without one.
          var original = (typeof r.index === "number" && pending[r.index]) ||
            pending.filter(function (p) { return p.client_id === r.client_id; })[0];
          return original ? put(Object.assign(original, { errors: r.errors })) : null;
        })).then(render).then(function () {
          // The list is redrawn first, so the message never describes a list that is not there yet.
          say("Đã đồng bộ " + done + " bản ghi" + (rejected ? ", " + rejected + " bị từ chối (xem danh sách)." : "."));
        });
      }).catch(function () {
        say("Chưa gửi được (mạng yếu?). Các bản ghi vẫn lưu trên máy, sẽ thử lại.");
      }).then(function () { syncing = false; return render(); });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var other = (data.get("village_other") || "").trim();
    var record = {
      client_id: newId(), full_name: (data.get("full_name") || "").trim(), village: other || data.get("village") || "",
      citizen_id: (data.get("citizen_id") || "").trim(), phone: (data.get("phone") || "").trim(),
      skills: data.getAll("skills"), consent: data.get("consent") === "1", date: data.get("date"), place: data.get("place") || ""
    };
    if (!record.full_name) { say("Nhập họ và tên người được hỗ trợ."); document.getElementById("full_name").focus(); return; }
    // The same rule as the server (Decree 13/2023): no ID number or phone without the person's consent.
    // Caught here, next to the box, before the record is queued — not rejected after the sync.
    if (!consentOk(record)) { showConsentError(true); document.getElementById("consent-box").focus(); return; }
    showConsentError(false);
    put(record).then(function () {
      form.reset(); document.getElementById("date").value = record.date;
      say("Đã lưu trên máy: " + record.full_name + ".");
      return render();
    }).then(sync);
  });
  button.hidden = false;
  button.addEventListener("click", sync);
  window.addEventListener("online", sync);
  document.getElementById("offline-help").hidden = false;
  if ("serviceWorker" in navigator && form.dataset.sw) { navigator.serviceWorker.register(form.dataset.sw, { scope: form.dataset.scope }).catch(function () {}); }
  render().then(sync);
  window.motcuaOutreach = { sync: sync, all: all };
})();
