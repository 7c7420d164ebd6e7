// Markdown for untrusted text (model output, user input). It is safe by construction: the parser
// produces plain objects, and the DOM is built from them with createElement and textContent only.
// No string ever becomes HTML, so there is nothing to sanitize afterwards: raw HTML in the input
// shows as text, and a link is kept only when its URL is http:, https: or mailto:.
// Covered: fenced code blocks, headings, bullet and numbered lists, block quotes, paragraphs,
// `code`, **bold**, *italic* / _italic_, [text](url) and bare http(s) URLs.

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL when a link may point there, else null (javascript:, data:, relative and malformed URLs). */
export function safeUrl(href) {
  try {
    const url = new URL(href.trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** Blocks of a Markdown text: {type:'code',lang,text} | {type:'heading',level,inline} |
 *  {type:'list',ordered,items:[inline]} | {type:'quote',blocks} | {type:'para',lines:[inline]}. */
export function parseBlocks(text) {
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^\s{0,3}(```|~~~)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i += 1; // the closing fence (or the end of a text still streaming)
      blocks.push({ type: 'code', lang: fence[2], text: body.join('\n') });
      continue;
    }
    if (!line.trim()) { i += 1; continue; }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1].length, inline: parseInline(heading[2]) });
      i += 1;
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const body = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i])) body.push(lines[i++].replace(/^\s{0,3}>\s?/, ''));
      blocks.push({ type: 'quote', blocks: parseBlocks(body.join('\n')) });
      continue;
    }
    const item = listItem(line);
    if (item) {
      const items = [];
      while (i < lines.length) {
        const next = listItem(lines[i]);
        if (next && next.ordered === item.ordered) {
          items.push(next.text);
        } else if (lines[i].trim() && /^\s{2,}/.test(lines[i]) && items.length) {
          items[items.length - 1] += ' ' + lines[i].trim(); // a continuation line of the item
        } else {
          break;
        }
        i += 1;
      }
      blocks.push({ type: 'list', ordered: item.ordered, start: item.start, items: items.map(parseInline) });
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() && !listItem(lines[i]) && !/^\s{0,3}(```|~~~|#{1,6}\s|>)/.test(lines[i])) {
      para.push(parseInline(lines[i].trim()));
      i += 1;
    }
    blocks.push({ type: 'para', lines: para });
  }
  return blocks;
}

function listItem(line) {
  const bullet = /^\s{0,3}[-*+]\s+(.*)$/.exec(line);
  if (bullet) return { ordered: false, text: bullet[1] };
  const number = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/.exec(line);
  if (number) return { ordered: true, start: Number(number[1]), text: number[2] };
  return null;
}

/** Inline spans of one line: {type:'text'|'code',text} | {type:'strong'|'em',children} | {type:'link',href,children}. */
export function parseInline(text) {
  const out = [];
  let plain = '';
  const flush = () => { if (plain) out.push({ type: 'text', text: plain }); plain = ''; };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let m;
    if (rest[0] === '\\' && /^\\[\\`*_[\]()#>+\-.!]/.test(rest)) {
      plain += rest[1];
      i += 2;
    } else if ((m = /^(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/.exec(rest))) {
      flush();
      out.push({ type: 'code', text: m[2] });
      i += m[0].length;
    } else if ((m = /^(\*\*|__)(?=\S)([\s\S]*?\S)\1/.exec(rest))) {
      flush();
      out.push({ type: 'strong', children: parseInline(m[2]) });
      i += m[0].length;
    } else if ((m = /^([*_])(?=[^\s*_])([\s\S]*?[^\s\\])\1(?![*_\w])/.exec(rest)) && !(m[1] === '_' && /\w$/.test(plain))) {
      flush();
      out.push({ type: 'em', children: parseInline(m[2]) });
      i += m[0].length;
    } else if ((m = /^\[([^\]\n]+)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/.exec(rest))) {
      flush();
      const href = safeUrl(m[2]);
      // an unsafe link keeps its words and loses its target
      out.push(href ? { type: 'link', href, children: parseInline(m[1]) } : { type: 'text', text: m[1] });
      i += m[0].length;
    } else if ((m = /^https?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]]/.exec(rest)) && !/[\w/]$/.test(plain)) {
      flush();
      const href = safeUrl(m[0]);
      out.push(href ? { type: 'link', href, children: [{ type: 'text', text: m[0] }] } : { type: 'text', text: m[0] });
      i += m[0].length;
    } else {
      plain += rest[0];
      i += 1;
    }
  }
  flush();
  return out;
}

/** A DocumentFragment showing `text` as Markdown; `doc` is the page's document. */
export function renderMarkdown(text, doc = globalThis.document) {
  const fragment = doc.createDocumentFragment();
  for (const block of parseBlocks(text)) fragment.append(blockNode(block, doc));
  return fragment;
}

function blockNode(block, doc) {
  switch (block.type) {
    case 'code': {
      const pre = doc.createElement('pre');
      const code = pre.appendChild(doc.createElement('code'));
      if (block.lang) code.dataset.lang = block.lang;
      code.textContent = block.text;
      return pre;
    }
    case 'heading': {
      const h = doc.createElement(`h${Math.min(6, block.level + 2)}`); // the page's own headings come first
      appendInline(h, block.inline, doc);
      return h;
    }
    case 'quote': {
      const q = doc.createElement('blockquote');
      for (const b of block.blocks) q.append(blockNode(b, doc));
      return q;
    }
    case 'list': {
      const list = doc.createElement(block.ordered ? 'ol' : 'ul');
      if (block.ordered && block.start !== 1) list.start = block.start;
      for (const item of block.items) appendInline(list.appendChild(doc.createElement('li')), item, doc);
      return list;
    }
    default: {
      const p = doc.createElement('p');
      block.lines.forEach((line, n) => {
        if (n > 0) p.append(doc.createElement('br'));
        appendInline(p, line, doc);
      });
      return p;
    }
  }
}

function appendInline(parent, spans, doc) {
  for (const span of spans) {
    switch (span.type) {
      case 'text': parent.append(doc.createTextNode(span.text)); break;
      case 'code': parent.appendChild(doc.createElement('code')).textContent = span.text; break;
      case 'strong':
      case 'em': appendInline(parent.appendChild(doc.createElement(span.type)), span.children, doc); break;
      case 'link': {
        const a = parent.appendChild(doc.createElement('a'));
        a.href = span.href;
        a.rel = 'noopener noreferrer nofollow';
        a.target = '_blank';
        appendInline(a, span.children, doc);
        break;
      }
      default: break;
    }
  }
}
