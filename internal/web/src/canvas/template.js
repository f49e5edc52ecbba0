// The template tab: the stack's template in a code editor (CodeMirror, in
// its own bundle, dist/editor.js, loaded when the tab is first shown). An
// edit is applied as one revision (POST …/template): the server imports
// the text again over the stack and answers with the canvas's changes, as
// for any edit. Text it cannot apply comes back with its problems, marked
// at their lines. Until it is applied or discarded the user's text is a
// draft kept in this tab's sessionStorage, so neither a refused apply, a
// refresh of the tab nor a reload loses it. A wrap switch (remembered per
// browser) and a copy button.
//
// The server's text arrives as <pre class="template" data-revision> in
// #template-view, the lazy tab (canvas/lazytabs.js), which is also what
// shows when the editor cannot load.

const WRAP_KEY = 'switchboard:template-wrap'
const DRAFT_KEY = 'switchboard:template-draft:'

// loadEditor adds the editor's script once and resolves with its module.
let loading
function loadEditor (src) {
  if (window.switchboardEditor) return Promise.resolve(window.switchboardEditor)
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script')
      s.src = src
      s.onload = () => window.switchboardEditor ? resolve(window.switchboardEditor) : reject(new Error('the editor did not load'))
      s.onerror = () => reject(new Error('the editor could not be loaded'))
      document.head.append(s)
    })
  }
  return loading
}

export function initTemplateTab (c) {
  const view = document.getElementById('template-view')
  const bar = document.getElementById('template-edit')
  const problemsEl = document.getElementById('template-edit-problems')
  if (!view || !bar || !problemsEl) return
  const state = bar.querySelector('[data-template-edit-state]') || bar.querySelector('.template-edit-state')
  const applyBtn = bar.querySelector('[data-template-apply]')
  const discardBtn = bar.querySelector('[data-template-discard]')
  // One draft per stack and format: switching to JSON and typing there
  // must not lose a YAML draft.
  const draftKey = () => DRAFT_KEY + bar.dataset.stack + ':' + (server?.format || 'yaml')
  const nonce = document.querySelector('meta[name=style-nonce]')?.content || ''
  // server is the last text the server sent: what a draft differs from.
  let server = null
  // note is what the state line says with no draft, such as "Applied."
  // until the next keystroke.
  let note = ''
  let ed = null
  let host = null

  const readDraft = () => {
    try { return JSON.parse(sessionStorage.getItem(draftKey()) || 'null') } catch (_) { return null }
  }
  const writeDraft = (d) => {
    try {
      if (d) sessionStorage.setItem(draftKey(), JSON.stringify(d))
      else sessionStorage.removeItem(draftKey())
    } catch (_) { /* storage full or off: the text stays in the editor */ }
  }
  const say = (text) => { state.textContent = text }
  const showProblems = (problems) => {
    ed?.setProblems(problems)
    if (!problems || problems.length === 0) {
      problemsEl.hidden = true
      problemsEl.replaceChildren()
    }
  }
  // listProblems shows a draft's problems again after a reload, as the
  // server listed them (web.TemplateEditProblems).
  const listProblems = (problems) => {
    ed?.setProblems(problems)
    problemsEl.hidden = problems.length === 0
    if (problems.length === 0) return problemsEl.replaceChildren()
    const p = document.createElement('p')
    p.textContent = 'Not applied: the text has ' + (problems.length === 1 ? 'a problem' : problems.length + ' problems') + '. Your text is kept in this tab until you apply or discard it.'
    const ul = document.createElement('ul')
    for (const pr of problems) {
      const li = document.createElement('li')
      li.dataset.testid = 'template-edit-problem'
      li.textContent = (pr.line > 0 ? 'Line ' + pr.line + (pr.col > 0 ? ', column ' + pr.col : '') + ': ' : '') + pr.message
      ul.append(li)
    }
    problemsEl.replaceChildren(p, ul)
  }
  // render shows whether there is a draft and what Apply would do.
  const render = () => {
    const d = readDraft()
    const dirty = !!d && (!server || d.format === server.format)
    applyBtn.disabled = !dirty
    discardBtn.disabled = !dirty
    bar.classList.toggle('dirty', dirty)
    if (!dirty) say(note)
    else if (server && String(d.base) !== String(server.revision)) say('Not applied. The stack has changed since you started editing; Apply replaces it with your text.')
    else say('Not applied yet.')
  }

  const wrap = document.querySelector('[data-template-wrap]')
  const setWrap = (on) => {
    view.classList.toggle('wrap', on)
    ed?.setWrap(on)
    if (wrap) wrap.checked = on
  }
  const wrapOn = () => { try { return localStorage.getItem(WRAP_KEY) === '1' } catch (_) { return false } }
  setWrap(wrapOn())
  wrap?.addEventListener('change', () => {
    setWrap(wrap.checked)
    try { localStorage.setItem(WRAP_KEY, wrap.checked ? '1' : '0') } catch (_) {}
  })

  const onChange = (text) => {
    if (!server) return
    note = ''
    const d = readDraft()
    if (text === server.text && d && String(d.base) === String(server.revision)) {
      writeDraft(null)
      showProblems([])
    } else {
      writeDraft({ text, format: server.format, base: d?.base ?? server.revision, problems: d?.problems || [] })
    }
    render()
  }

  const apply = () => {
    const d = readDraft()
    if (!d || !ed) return
    say('Applying…')
    window.htmx.ajax('POST', bar.dataset.applyUrl, { source: bar, values: { text: ed.getText() }, target: '#template-edit-problems', swap: 'innerHTML' })
  }
  // An apply is based on the revision the draft started from, not the
  // canvas's latest: text written against an older state must not
  // silently undo what changed since (the server refuses it as stale and
  // the draft stays). Registered on document, it runs after the edit
  // queue's header (canvas/transport.js) and overrides it.
  document.addEventListener('htmx:configRequest', (e) => {
    if (e.detail.elt !== bar) return
    const d = readDraft()
    if (d) e.detail.headers['X-Base-Revision'] = String(d.base)
  })
  bar.addEventListener('htmx:afterRequest', (e) => {
    if (e.detail.elt !== bar) return
    const status = e.detail.xhr?.status
    if (status >= 200 && status < 300) {
      writeDraft(null)
      showProblems([])
      note = 'Applied.'
      say(note)
      c.announce('Template applied.')
      applyBtn.disabled = true
      discardBtn.disabled = true
      bar.classList.remove('dirty')
    } else if (status === 409) {
      // The stack moved on under the draft: the next Apply is based on
      // the latest state, which the canvas now shows, and replaces it.
      const d = readDraft()
      const rev = e.detail.xhr.getResponseHeader('X-Switchboard-Revision')
      if (d && rev) writeDraft({ ...d, base: rev })
      say('Not applied: the stack was changed elsewhere. Your text is kept; Apply again to replace the stack with it, or Discard.')
    } else if (status !== 422) {
      render()
    }
  })
  // The 422 answer lists the problems; the editor marks them and the
  // draft keeps them, so a reload shows them again.
  problemsEl.addEventListener('htmx:afterSwap', () => {
    const problems = [...problemsEl.querySelectorAll('[data-line]')].map((li) => ({
      line: Number(li.dataset.line), col: Number(li.dataset.col), message: li.dataset.message
    }))
    problemsEl.hidden = problems.length === 0
    const d = readDraft()
    if (d) writeDraft({ ...d, problems })
    ed?.setProblems(problems)
    // A successful apply swaps in nothing: afterRequest says so.
    if (problems.length) say('Not applied.')
  })
  discardBtn.addEventListener('click', () => {
    note = ''
    writeDraft(null)
    showProblems([])
    if (server && ed) ed.setText(server.text)
    render()
    c.announce('Your changes to the template were discarded.')
  })
  applyBtn.addEventListener('click', apply)

  // mount shows the server's text, or the draft over it, in the editor.
  const mount = (mod) => {
    const d = readDraft()
    const text = d && d.format === server.format ? d.text : server.text
    if (!ed) {
      host = document.createElement('div')
      host.className = 'template-code'
      host.dataset.testid = 'template-editor'
      view.after(host)
      ed = mod.createEditor({ parent: host, text, format: server.format, nonce, label: 'Template (' + server.format.toUpperCase() + '), editable', onChange, onApply: apply })
      setWrap(wrapOn())
    } else {
      ed.setFormat(server.format)
      ed.setText(text)
    }
    view.classList.add('behind-editor')
    bar.hidden = false
    // After this task: the editor lays out before it scrolls.
    setTimeout(revealPending, 0)
    if (d && d.format === server.format) {
      listProblems(d.problems || [])
    }
    render()
  }
  const onServerText = () => {
    const pre = view.querySelector('pre.template')
    if (!pre) {
      // The stack cannot be exported yet: the problems show instead.
      server = null
      if (host) host.hidden = true
      bar.hidden = true
      view.classList.remove('behind-editor')
      return
    }
    if (host) host.hidden = false
    server = { text: pre.textContent, format: pre.dataset.format, revision: pre.dataset.revision }
    loadEditor(bar.dataset.editorSrc).then(mount, () => {
      c.message('The template editor could not be loaded; the template is shown read-only.', 'error')
    })
  }

  // "Edit in the template" (a resource Switchboard keeps as written): the
  // Template tab, with the cursor on that resource once the editor shows.
  let reveal = null
  const revealPending = () => {
    if (!reveal || !ed || !server) return
    if (!ed.reveal(reveal)) c.announce('The template does not show ' + reveal + ' yet.')
    reveal = null
  }
  document.addEventListener('click', (e) => {
    const b = e.target.closest?.('[data-edit-in-template]')
    if (!b) return
    reveal = b.dataset.editInTemplate
    document.querySelector('[data-tab="template-tab"]')?.click()
    // A fresh template may be on its way (the tab refreshes when shown).
    // Else once the tab is laid out.
    if (!view.dataset.stale && !view.classList.contains('htmx-request')) requestAnimationFrame(revealPending)
  })

  const copy = document.querySelector('[data-template-copy]')
  copy?.addEventListener('click', async () => {
    const text = ed ? ed.getText() : view.querySelector('pre.template')?.textContent
    if (text == null) return c.announce('The template cannot be built yet; nothing to copy.')
    try {
      await navigator.clipboard.writeText(text)
      // Said where it was asked, not in a toast: toasts are for errors.
      copy.textContent = 'Copied'
      setTimeout(() => { copy.textContent = 'Copy' }, 1500)
      c.announce('Template copied.')
    } catch (_) {
      c.message('The browser did not allow copying; select the text and copy it.', 'error')
    }
  })
  document.body.addEventListener('htmx:afterSwap', (e) => {
    if (e.detail.target === view || view.contains(e.detail.target)) onServerText()
  })
  if (view.querySelector('pre.template')) onServerText()
}
