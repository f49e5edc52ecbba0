// A message at the bottom of the window that goes away by itself.
export function showMessage (text, level = 'info') {
  const box = document.getElementById('toasts')
  if (!box || !text) return
  const el = document.createElement('div')
  el.className = `toast toast-${level}`
  el.setAttribute('role', level === 'error' ? 'alert' : 'status')
  el.dataset.testid = 'toast'
  el.textContent = text
  const close = document.createElement('button')
  close.type = 'button'
  close.className = 'toast-close'
  close.setAttribute('aria-label', 'Dismiss')
  close.textContent = '×'
  close.addEventListener('click', () => el.remove())
  el.append(close)
  box.append(el)
  setTimeout(() => el.remove(), level === 'error' ? 8000 : 4000)
}
