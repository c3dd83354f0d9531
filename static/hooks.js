// The example app's hooks (docs/client.md, "Hooks"), loaded after the Livery client: page code
// for elements a view renders with lv-hook. No inline script: they work under script-src 'self'.
const UNITS = [['year', 31_536e6], ['month', 2_592e6], ['week', 6_048e5], ['day', 864e5], ['hour', 36e5], ['minute', 6e4]];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 days ago" for an ISO date; "just now" under a minute. */
function ago(iso) {
  const diff = Date.parse(iso) - Date.now();
  for (const [unit, ms] of UNITS) if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
  return 'just now';
}

// A page without live views (an error page) has no client: nothing to register with.
if (window.Livery) {
  /** `<span id="…" lv-hook="RelativeTime" lv-ignore data-at="ISO date">`: keeps saying how long ago, every 30 s. */
  Livery.hooks.RelativeTime = {
    mounted() {
      this.render();
      this.timer = setInterval(() => this.render(), 30_000);
    },
    updated() {
      this.render(); // data-at changed
    },
    destroyed() {
      clearInterval(this.timer);
    },
    render() {
      this.el.textContent = ago(this.el.dataset.at);
      this.el.title = new Date(this.el.dataset.at).toLocaleString('en');
    },
  };
}
