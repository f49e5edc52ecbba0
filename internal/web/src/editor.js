// The Template tab's code editor: CodeMirror 6 with YAML and JSON modes and
// problems marked where they are. A bundle of its own (dist/editor.js),
// loaded the first time the tab is shown (canvas/template.js), so the
// canvas's bundle does not carry an editor most visits never open.
//
// CodeMirror themes itself with <style> elements; the page's CSP allows
// them only with the page's nonce (<meta name="style-nonce">), which
// EditorView.cspNonce hands to it.
import { EditorView, basicSetup } from 'codemirror'
import { Compartment, EditorState, Prec } from '@codemirror/state'
import { keymap } from '@codemirror/view'
import { yaml } from '@codemirror/lang-yaml'
import { json } from '@codemirror/lang-json'
import { setDiagnostics, lintGutter } from '@codemirror/lint'
import { syntaxHighlighting } from '@codemirror/language'
import { classHighlighter } from '@lezer/highlight'

const language = (format) => format === 'json' ? json() : yaml()

// The template keeps the dark panel it had as a <pre>, in light and dark
// mode alike; tokens get tok-* classes (classHighlighter) coloured in
// workbench.css.
const theme = EditorView.theme({
  '&': { backgroundColor: '#1d2330', color: '#e6e9f0', fontSize: '.75rem', borderRadius: '8px', maxHeight: '70vh' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.45' },
  '.cm-content': { caretColor: '#fff' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: '#fff' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection': { backgroundColor: '#3a4a6b' },
  '.cm-gutters': { backgroundColor: '#171c27', color: '#9aa3b5', border: 'none' },
  '.cm-activeLine': { backgroundColor: '#ffffff0d' },
  '.cm-activeLineGutter': { backgroundColor: '#ffffff14' },
  '.cm-tooltip': { backgroundColor: '#2a3142', color: '#e6e9f0', border: '1px solid #46506a' }
}, { dark: true })

// createEditor mounts an editor in parent. onChange(text) follows every
// change the user makes (not setText's); onApply is Ctrl/Cmd+Enter or
// Ctrl/Cmd+S.
function createEditor ({ parent, text, format, nonce, label, onChange, onApply }) {
  const lang = new Compartment()
  const wrap = new Compartment()
  let quiet = false
  const apply = () => { onApply(); return true }
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        theme,
        syntaxHighlighting(classHighlighter),
        lintGutter(),
        lang.of(language(format)),
        wrap.of([]),
        EditorView.cspNonce.of(nonce || ''),
        // tabindex says out loud what contenteditable means, for checkers
        // (axe) that look for a focusable element in a scrolled region.
        EditorView.contentAttributes.of({ 'aria-label': label, 'data-testid': 'template-code', tabindex: '0' }),
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: apply }, { key: 'Mod-s', run: apply, preventDefault: true }])),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !quiet) onChange(u.state.doc.toString())
        })
      ]
    })
  })
  // place turns a 1-based line and column into a range of the document,
  // clamped to it: the text may have changed since the problem was found.
  const place = (line, col) => {
    const doc = view.state.doc
    if (!line || line < 1) return { from: 0, to: Math.min(doc.length, doc.line(1).to) }
    const l = doc.line(Math.min(line, doc.lines))
    const from = Math.min(l.to, l.from + Math.max(0, (col || 1) - 1))
    return { from, to: col ? Math.min(l.to, from + 1) : l.to }
  }
  return {
    getText: () => view.state.doc.toString(),
    // setText replaces the text without counting as the user's change.
    setText (t) {
      if (t === view.state.doc.toString()) return
      quiet = true
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } })
      } finally { quiet = false }
    },
    setFormat (f) { view.dispatch({ effects: lang.reconfigure(language(f)) }) },
    setWrap (on) { view.dispatch({ effects: wrap.reconfigure(on ? EditorView.lineWrapping : []) }) },
    // setProblems marks each problem ({line, col, message}) in the text.
    setProblems (problems) {
      const diagnostics = (problems || []).map((p) => {
        const { from, to } = place(p.line, p.col)
        return { from, to: Math.max(to, from), severity: 'error', message: p.message }
      })
      const tr = setDiagnostics(view.state, diagnostics)
      // The first problem is brought into view: it is why nothing
      // was applied.
      if (diagnostics.length) tr.effects = [...[tr.effects].flat(), EditorView.scrollIntoView(diagnostics[0].from, { y: 'center' })]
      view.dispatch(tr)
    },
    // reveal puts the cursor on the resource named name (its logical ID
    // in the template's Resources), in view, and focuses the editor.
    reveal (name) {
      const doc = view.state.doc.toString()
      const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      const m = new RegExp('^  ' + esc + ':|^    "' + esc + '": ', 'm').exec(doc)
      if (!m) return false
      const at = m.index + m[0].search(/\S/)
      view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'center' }) })
      view.focus()
      return true
    },
    focus () { view.focus() },
    view
  }
}

window.switchboardEditor = { createEditor, EditorView }
document.dispatchEvent(new CustomEvent('switchboard:editor-loaded'))
