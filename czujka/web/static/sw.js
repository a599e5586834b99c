// czujka service worker: shows pages pushed by czujka and opens the incident (or the acknowledge link) on tap.
"use strict";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: "czujka", body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "czujka", {
    body: data.body || "", tag: "incident-" + (data.incident || ""), renotify: true,
    requireInteraction: (data.severity || 0) >= 2, icon: "/static/icon-192.png",
    data: { url: data.url || "/", ack_url: data.ack_url || null },
    actions: data.ack_url ? [{ action: "ack", title: "OK" }] : [] }));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var info = event.notification.data || {};
  var target = event.action === "ack" && info.ack_url ? info.ack_url : info.url;
  event.waitUntil(self.clients.openWindow(target || "/"));
});
// No fetch handler: every request goes to the network, so a page is never stale and navigations never
// wait for the worker to start.
