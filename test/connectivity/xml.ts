// A strict little XML reader for checking the JUnit writer: elements, attributes, text and the
// five predefined entities; mismatched or unclosed tags throw. Enough for well-formed reports.
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const decode = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);

export function parseXml(src: string): XmlElement {
  let i = 0;
  const s = src.replace(/^<\?xml[^?]*\?>\s*/, '');
  const fail = (msg: string): never => { throw new Error(`xml: ${msg} at ${i}`); };
  function element(): XmlElement {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/.exec(s.slice(i));
    if (!open) return fail('expected an element');
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (const m of open[2]!.matchAll(/([\w:.-]+)="([^"]*)"/g)) attrs[m[1]!] = decode(m[2]!);
    const el: XmlElement = { name: open[1]!, attrs, children: [], text: '' };
    if (open[3]) return el;
    for (;;) {
      if (i >= s.length) fail(`unclosed <${el.name}>`);
      if (s.startsWith('</', i)) {
        const close = /^<\/([\w.-]+)\s*>/.exec(s.slice(i));
        if (!close || close[1] !== el.name) fail(`mismatched close of <${el.name}>`);
        i += close![0].length;
        return el;
      }
      if (s[i] === '<') el.children.push(element());
      else {
        const next = s.indexOf('<', i);
        const raw = s.slice(i, next < 0 ? s.length : next);
        if (/[<>]/.test(raw) || /&(?!(lt|gt|quot|apos|amp);)/.test(raw)) fail('bad character in text');
        el.text += decode(raw);
        i = next < 0 ? s.length : next;
      }
    }
  }
  const root = element();
  if (s.slice(i).trim() !== '') fail('content after the root element');
  return root;
}

export const childrenNamed = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
