/** Showing what the user wrote in error messages, readably whatever its size, depth or characters. */

/** The value of an own property only: keys such as `constructor` or `__proto__` never reach Object.prototype. */
export function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

const SHOWN_CHARACTERS = 120;
const SHOWN_DEPTH = 3;

/** JSON-quoted, with every character outside printable ASCII escaped (look-alike and zero-width characters show). */
function quote(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A received value as JSON, cut to SHOWN_CHARACTERS and SHOWN_DEPTH (a long string also gives its length). */
export function show(value: unknown): string {
  const budget = { left: SHOWN_CHARACTERS };
  const render = (item: unknown, depth: number): string => {
    if (budget.left <= 0) return '…';
    let text: string;
    if (typeof item === 'string' && depth > 0 && item.length + 2 > budget.left) {
      budget.left = 0; // inside an object or array, a string is shown whole or not at all
      return '…';
    } else if (typeof item === 'string') {
      text = quote(item.slice(0, budget.left));
      if (item.length > budget.left) text = `${text.slice(0, -1)}…" (${item.length} characters)`;
    } else if (Array.isArray(item) || (typeof item === 'object' && item !== null)) {
      const isArray = Array.isArray(item);
      const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
      const keys = isArray ? [] : Object.keys(item);
      const length = isArray ? item.length : keys.length;
      if (length === 0) text = open + close;
      else if (depth >= SHOWN_DEPTH) text = `${open}…${close}`;
      else {
        budget.left -= 1;
        const parts: string[] = [];
        for (let i = 0; i < length && budget.left > 0; i++) {
          if (!isArray && keys[i].length + 3 > budget.left) break; // a key, too, is shown whole or not at all
          const part = isArray ? render(item[i], depth + 1) : `${quote(keys[i])}:${render(own(item, keys[i]), depth + 1)}`;
          if (part.endsWith('…')) break;
          parts.push(part);
          budget.left -= 1;
        }
        const cut = parts.length === 0 ? '…' : ',…';
        return `${open}${parts.join(',')}${parts.length < length ? cut : ''}${close}`;
      }
    } else {
      // Non-finite numbers (1e400 parses as Infinity) show as what they became, not JSON's null.
      text = String(item);
    }
    budget.left -= text.length;
    return text;
  };
  return render(value, 0);
}

/** `a.b.c`, each key as {@link nameOf} shows it; `omitted` keys left out after the first `shownHead` show as `(N more)`. */
export function keyPath(keys: readonly string[], omitted = 0, shownHead = keys.length): string {
  const shown = keys.map(nameOf);
  if (omitted > 0) shown.splice(shownHead, 0, `(${omitted} more)`);
  return shown.join('.');
}

/** A key as given: bare when plain ASCII, else quoted with its odd characters escaped. */
export function nameOf(key: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(key) && !key.includes('"') ? key : show(key);
}
