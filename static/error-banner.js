// Livery dispatches `lv:error` on a view's container when the server reports an error for it
// (a handler that threw: its changes were undone). The layout shows it until dismissed or the next one.
const banner = document.getElementById('lv-error-banner');
document.addEventListener('lv:error', (event) => {
  document.getElementById('lv-error-message').textContent = event.detail.message;
  document.getElementById('lv-error-code').textContent = event.detail.code;
  banner.hidden = false;
});
document.getElementById('lv-error-dismiss').addEventListener('click', () => { banner.hidden = true; });
