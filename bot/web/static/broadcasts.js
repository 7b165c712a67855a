// The broadcast composer: the number of people reached, fetched when the selection changes (without
// JavaScript the "Count" button does it); a broadcast's page: its figures refreshed every few seconds
// (without JavaScript the "Refresh" link).
(() => {
  const ARGUMENTS = ["content", "opening", "segment", "track", "municipality", "cohort", "programme"];
  const composer = document.querySelector("form[data-count-url]");
  if (composer) {
    const audience = document.getElementById("audience");
    const show = () => {
      const segment = composer.elements.segment.value;
      const content = composer.elements.content.value;
      composer.querySelectorAll("[data-segment-arg]").forEach((el) => { el.hidden = el.dataset.segmentArg !== segment; });
      composer.querySelectorAll("[data-content]").forEach((el) => { el.hidden = el.dataset.content !== content; });
    };
    const count = async () => {
      show();
      const params = new URLSearchParams();
      for (const name of ARGUMENTS) {
        const field = composer.elements[name];
        if (field) params.set(name, field.value);
      }
      try {
        const response = await fetch(`${composer.dataset.countUrl}?${params}`, { headers: { Accept: "application/json" } });
        if (response.ok) audience.textContent = (await response.json()).text;
      } catch (error) {
        // the Count button still works
      }
    };
    composer.addEventListener("change", count);
    show();
  }
  const progress = document.querySelector("[data-progress-url]");
  if (progress) {
    const tick = async () => {
      try {
        const response = await fetch(progress.dataset.progressUrl, { headers: { Accept: "application/json" } });
        if (response.ok) {
          const figures = await response.json();
          for (const [key, value] of Object.entries(figures)) {
            const el = progress.querySelector(`[data-figure="${key}"]`);
            if (el) el.textContent = String(value);
          }
          if (figures.finished) {
            window.location.reload(); // the page then shows the delivery report
            return;
          }
        }
      } catch (error) {
        // try again on the next tick
      }
      window.setTimeout(tick, 2000);
    };
    window.setTimeout(tick, 2000);
  }
})();
