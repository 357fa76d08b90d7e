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

// Upload with a progress bar (the form still works without this script).
(function () {
  const form = document.querySelector('form[data-upload-progress]');
  if (!form || !window.XMLHttpRequest) return;
  const box = form.querySelector('.upload-progress');
  const bar = box.querySelector('progress');
  const text = box.querySelector('[data-progress-text]');
  const working = box.querySelector('[data-working-text]');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    const data = new FormData(form);
    const action = event.submitter ? event.submitter.formAction : form.action;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', action);
    box.hidden = false;
    form.querySelectorAll('button').forEach(b => b.disabled = true);
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      bar.value = Math.round(100 * e.loaded / e.total);
      text.textContent = bar.value + '%';
      if (e.loaded === e.total) { bar.removeAttribute('value'); text.hidden = true; working.hidden = false; }
    });
    xhr.addEventListener('load', function () {
      document.open(); document.write(xhr.responseText); document.close();
      history.replaceState(null, '', '/import');
    });
    xhr.addEventListener('error', function () {
      box.hidden = true; form.querySelectorAll('button').forEach(b => b.disabled = false);
      alert(form.dataset.uploadFailed);
    });
    xhr.send(data);
  });
})();

// Ask before irreversible actions (forms marked data-confirm); inline handlers are barred by the CSP.
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});

// The door list (event check-in): search as you type; the search is kept across the one-tap check-ins.
(function () {
  const box = document.getElementById('door-search');
  if (!box) return;
  const rows = [...document.querySelectorAll('[data-testid="door-row"]')];
  const apply = () => {
    const q = box.value.trim().toLowerCase();
    rows.forEach(r => { r.hidden = q.length > 0 && !r.dataset.search.includes(q); });
    document.querySelectorAll('.keep-q').forEach(k => { k.value = box.value; });
  };
  box.addEventListener('input', apply);
  apply();
})();

