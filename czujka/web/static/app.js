// czujka dashboard: the service worker (installable app) and the opt-in to browser push for the on-call person.
"use strict";
(function () {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  var button = document.getElementById("push-enable");
  if (!button || !("PushManager" in window)) return;
  button.hidden = false;
  var csrf = (JSON.parse(document.body.getAttribute("hx-headers") || "{}"))["X-CSRF-Token"];
  function key(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  button.addEventListener("click", async function () {
    var permission = await Notification.requestPermission();
    if (permission !== "granted") return;
    var info = await (await fetch("/push/key", { credentials: "same-origin" })).json();
    var registration = await navigator.serviceWorker.ready;
    var subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: key(info.public_key) });
    var answer = await fetch("/push/subscribe", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(subscription.toJSON()) });
    button.textContent = answer.ok ? "✓" : "✗";
  });
})();
