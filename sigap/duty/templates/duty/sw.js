// Sigap office service worker (scope /office/): shows the web-push alerts and pages of the
// on-duty rota (sigap.duty.push) and opens the report when the notification is tapped.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {body: event.data && event.data.text()}; }
  event.waitUntil(self.registration.showNotification(data.title || "Sigap", {
    body: data.body || "", data: {url: data.url || "/office/"}, requireInteraction: true,
    tag: data.url || "sigap", renotify: true, vibrate: [300, 100, 300, 100, 300]
  }));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
