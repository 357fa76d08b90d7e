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


// Search-as-you-type for the event page's contact picker: asks the page for at most 20 matches and lists them as
// checkboxes; ticked contacts move to the chosen list and stay there while searching on. Without script the search
// form's Search button does the same with a page load.
(function () {
  const input = document.querySelector('input[data-contact-search]');
  if (!input || !window.fetch) return;
  const results = document.getElementById(input.dataset.results);
  const chosen = document.getElementById('contact-chosen');
  if (!results || !chosen) return;
  const searchButton = input.form.querySelector('[data-testid="contact-search-submit"]');
  if (searchButton) searchButton.hidden = true;
  input.form.addEventListener('submit', function (event) { event.preventDefault(); search(); });
  const isChosen = id => chosen.querySelector('input[value="' + id + '"]') !== null;
  results.addEventListener('change', function (event) {
    const box = event.target;
    if (box.type === 'checkbox' && box.checked) chosen.appendChild(box.closest('label'));
  });
  chosen.addEventListener('change', function (event) {
    const box = event.target;
    if (box.type === 'checkbox' && !box.checked) box.closest('label').remove();
  });
  let timer = 0;
  let asked = 0;
  input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 200); });
  async function search() {
    const q = input.value.trim();
    const mine = ++asked;
    if (q.length < 2) { results.replaceChildren(); return; }
    const response = await fetch(input.dataset.contactSearch + '&q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' } });
    if (!response.ok || mine !== asked) return;
    const found = await response.json();
    if (mine !== asked) return;
    const rows = found.filter(c => !isChosen(c.id)).map(function (c) {
      const label = document.createElement('label');
      label.className = 'check';
      label.dataset.testid = 'contact-result';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'ContactIds';
      box.value = c.id;
      const email = document.createElement('span');
      email.className = 'muted small';
      email.textContent = c.email;
      label.append(box, ' ' + c.name + ' — ' + c.organisation + ' ', email);
      return label;
    });
    if (found.length === 0) {
      const none = document.createElement('p');
      none.className = 'muted';
      none.textContent = results.dataset.none;
      rows.push(none);
    }
    results.replaceChildren(...rows);
  }
})();
