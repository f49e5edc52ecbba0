// Morphing swaps (idiomorph): an edit's answer changes the elements that
// are there instead of replacing them, so focus, the caret, a value being
// typed and the selection survive it (issue 14). Two swap styles:
//   morph       — the target becomes the content (an out-of-band node or
//                 wire the server changed, hx-swap-oob="morph:#node-fn1");
//   morph-inner — the target's children become the content (the panel).
// idiomorph's own htmx extension reads options with Function(), which the
// CSP forbids; this one has none to read.
import { Idiomorph } from 'idiomorph'

const styles = { morph: 'outerHTML', 'morph-inner': 'innerHTML' }

const config = (morphStyle) => ({
  morphStyle,
  // A field being typed in keeps what was typed; its change event sends it.
  // Only a field: idiomorph leaves every child of the active element alone,
  // and a focused node (after a click, or the keyboard's roving focus)
  // would keep showing what it showed before the edit.
  ignoreActiveValue: !!document.activeElement?.matches('input, textarea, select, [contenteditable]'),
  restoreFocus: true,
  callbacks: {
    // Positions live in the CSSOM (canvas/geometry.js place), never in
    // markup: the server's copy has no style to take over.
    beforeAttributeUpdated: (attr) => attr !== 'style'
  }
})

export function initMorph (htmx) {
  htmx.defineExtension('morph', {
    // The content is the children of the out-of-band wrapper.
    isInlineSwap: () => false,
    handleSwap (style, target, fragment) {
      const morphStyle = styles[style]
      if (!morphStyle) return false
      return Idiomorph.morph(target, [...fragment.childNodes], config(morphStyle))
    }
  })
  // The properties panel morphs, whoever asked for it.
  document.body.addEventListener('htmx:beforeSwap', (e) => {
    const d = e.detail
    if (d.target?.id === 'panel' && (d.swapOverride == null || d.swapOverride === 'innerHTML')) d.swapOverride = 'morph-inner'
  })
}
