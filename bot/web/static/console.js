// Asks before a button marked data-confirm submits its form; without JavaScript the server's own confirmation page applies.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
