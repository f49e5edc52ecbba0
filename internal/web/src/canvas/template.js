// The template tab: syntax colours for YAML and JSON, a wrap switch
// (remembered per browser) and a copy button. The colouring is a small
// tokenizer rather than an editor: the tab only shows the template. When
// the template becomes editable, CodeMirror's YAML and JSON modes can take
// this module's place.

const WRAP_KEY = 'switchboard:template-wrap'
// Beyond this the text is shown plain: colouring a very large template
// would cost more than it helps.
const MAX_COLOURED = 400000

const yamlValue = /(!(?:Ref|GetAtt|Sub|Join|Select|Split|If|Equals|And|Or|Not|FindInMap|ImportValue|Base64|Cidr|GetAZs|Condition|Transform))\b|("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')|(#.*$)|(\b(?:true|false|null|yes|no)\b)|(-?\b\d+(?:\.\d+)?\b)/g
const yamlKey = /^(\s*(?:- )*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"][^:#]*?)(:)(?=\s|$)/
const jsonToken = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|\b(true|false|null)\b/g

function span (cls, text) {
  const s = document.createElement('span')
  s.className = cls
  s.textContent = text
  return s
}

// tokens appends text to out, its matches of re as spans; classes names
// the class of each capture group in order.
function tokens (out, text, re, classes) {
  let last = 0
  re.lastIndex = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index))
    const g = m.findIndex((v, i) => i > 0 && v !== undefined)
    out.push(span(classes[g - 1], m[0]))
    last = m.index + m[0].length
    if (m[0] === '') re.lastIndex++
  }
  if (last < text.length) out.push(text.slice(last))
}

function yaml (text) {
  const out = []
  for (const line of text.split('\n')) {
    const k = yamlKey.exec(line)
    if (k) {
      out.push(k[1], span('tok-key', k[2]), k[3])
      tokens(out, line.slice(k[0].length), yamlValue, ['tok-tag', 'tok-str', 'tok-com', 'tok-lit', 'tok-num'])
    } else {
      tokens(out, line, yamlValue, ['tok-tag', 'tok-str', 'tok-com', 'tok-lit', 'tok-num'])
    }
    out.push('\n')
  }
  out.pop()
  return out
}

function json (text) {
  const out = []
  let last = 0
  jsonToken.lastIndex = 0
  for (let m = jsonToken.exec(text); m; m = jsonToken.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index))
    if (m[1] !== undefined) {
      out.push(span(m[2] !== undefined ? 'tok-key' : 'tok-str', m[1]))
      if (m[2] !== undefined) out.push(m[2])
    } else {
      out.push(span(m[3] !== undefined ? 'tok-num' : 'tok-lit', m[0]))
    }
    last = m.index + m[0].length
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

// colour replaces a template's text with its coloured tokens.
export function colour (pre) {
  if (!pre || pre.dataset.coloured) return
  const text = pre.textContent
  pre.dataset.coloured = 'true'
  if (text.length > MAX_COLOURED) return
  const parts = pre.dataset.format === 'json' ? json(text) : yaml(text)
  pre.replaceChildren(...parts)
}

export function initTemplateTab (c) {
  const view = document.getElementById('template-view')
  if (!view) return
  const wrap = document.querySelector('[data-template-wrap]')
  const setWrap = (on) => {
    view.classList.toggle('wrap', on)
    if (wrap) wrap.checked = on
  }
  try { setWrap(localStorage.getItem(WRAP_KEY) === '1') } catch (_) {}
  wrap?.addEventListener('change', () => {
    setWrap(wrap.checked)
    try { localStorage.setItem(WRAP_KEY, wrap.checked ? '1' : '0') } catch (_) {}
  })
  const copy = document.querySelector('[data-template-copy]')
  copy?.addEventListener('click', async () => {
    const pre = view.querySelector('pre.template')
    if (!pre) return c.announce('The template cannot be built yet; nothing to copy.')
    try {
      await navigator.clipboard.writeText(pre.textContent)
      // Said where it was asked, not in a toast: toasts are for errors.
      copy.textContent = 'Copied'
      setTimeout(() => { copy.textContent = 'Copy' }, 1500)
      c.announce('Template copied.')
    } catch (_) {
      c.message('The browser did not allow copying; select the text and copy it.', 'error')
    }
  })
  document.body.addEventListener('htmx:afterSwap', (e) => {
    if (e.detail.target === view || view.contains(e.detail.target)) colour(view.querySelector('pre.template'))
  })
  colour(view.querySelector('pre.template'))
}
