// Basic accessibility checks of the screen a playwright page shows: page language, one h1,
// named controls, alt text, chart summaries, WCAG AA text contrast, and a visible focus indicator
// after pressing Tab. Returns the problems found (empty when none).

/** @param {import('playwright-core').Page} page */
export async function accessibilityProblems(page) {
  const problems = await page.evaluate(() => {
    const out = [];
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    };
    const isHidden = (el) => el.closest('.visually-hidden') !== null;
    const nameOf = (el) => {
      if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
      const by = el.getAttribute('aria-labelledby');
      if (by) return by.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
      if (el.id) {
        const l = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
        if (l) return l.textContent;
      }
      const wrap = el.closest('label');
      if (wrap) return wrap.textContent;
      if (el.tagName === 'BUTTON' || el.tagName === 'A') return el.textContent;
      return el.getAttribute('title') ?? '';
    };
    if (!document.documentElement.lang) out.push('html has no lang');
    if (document.querySelectorAll('h1').length !== 1) out.push(`expected one h1, found ${document.querySelectorAll('h1').length}`);
    for (const el of document.querySelectorAll('input, select, textarea, button, a[href]')) {
      if (!visible(el) && !(el.type === 'radio' || el.type === 'checkbox')) continue;
      if (!(nameOf(el) ?? '').trim()) out.push(`unnamed ${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);
    }
    for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) out.push(`img without alt: ${img.src}`);
    for (const svg of document.querySelectorAll('svg')) if (!svg.getAttribute('aria-label') && svg.getAttribute('aria-hidden') !== 'true') out.push('svg chart without aria-label');

    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.backgroundImage !== 'none') return null; // gradients: not judged here
        const c = parse(s.backgroundColor);
        if (c && c.a >= 0.99) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent.trim() || !visible(el) || isHidden(el)) continue;
      if (el.closest('svg') || el.closest('button:disabled, [aria-disabled="true"]')) continue;
      seen.add(el);
      const s = getComputedStyle(el);
      const fg = parse(s.color);
      const bg = background(el);
      if (!fg || !bg) continue;
      const ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
      const size = parseFloat(s.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`contrast ${ratio.toFixed(2)} for "${n.textContent.trim().slice(0, 30)}"`);
    }
    return out;
  });
  // Focus the document itself, so Tab starts from the top of the page whatever had focus before.
  await page.evaluate(() => {
    window.getSelection()?.removeAllRanges();
    document.body.setAttribute('tabindex', '-1');
    document.body.focus({ preventScroll: true });
    document.body.removeAttribute('tabindex');
  });
  await page.keyboard.press('Tab');
  const focus = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing focused after Tab';
    const s = getComputedStyle(el);
    const indicated = s.boxShadow !== 'none' || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0);
    return indicated ? null : `no visible focus indicator on ${el.tagName.toLowerCase()}`;
  });
  if (focus) problems.push(focus);
  return problems;
}
