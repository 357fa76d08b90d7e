// Progressive enhancement only: every page works without this file.
(function () {
  // Show the revisit date only when "not now" is chosen in the move form.
  const stage = document.querySelector('[data-testid="move-stage"]');
  const revisit = document.querySelector('[data-testid="move-revisit"]');
  if (stage && revisit) {
    const label = revisit.closest('label');
    const sync = () => { label.hidden = stage.value !== 'not_now'; revisit.required = stage.value === 'not_now'; };
    stage.addEventListener('change', sync);
    sync();
  }
})();
