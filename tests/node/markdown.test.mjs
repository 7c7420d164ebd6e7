// The page's Markdown parser (src/main/resources/META-INF/resources/markdown.js) on hostile and
// ordinary input; the browser test checks the DOM it builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBlocks, parseInline, safeUrl } from '../../src/main/resources/META-INF/resources/markdown.js';

test('only http, https and mailto links survive', () => {
  assert.equal(safeUrl('https://example.org/a?b=1'), 'https://example.org/a?b=1');
  assert.equal(safeUrl('mailto:me@example.org'), 'mailto:me@example.org');
  for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<b>x</b>',
    'vbscript:x', '/relative', '//evil.example', 'not a url']) {
    assert.equal(safeUrl(bad), null, bad);
  }
});

test('an unsafe link keeps its words, not its target', () => {
  assert.deepEqual(parseInline('[click](javascript:alert(1))'), [{ type: 'text', text: 'click' }, { type: 'text', text: ')' }]);
  assert.deepEqual(parseInline('[site](https://a.io)'),
    [{ type: 'link', href: 'https://a.io/', children: [{ type: 'text', text: 'site' }] }]);
});

test('HTML is text', () => {
  assert.deepEqual(parseInline('<img src=x onerror=alert(1)>'), [{ type: 'text', text: '<img src=x onerror=alert(1)>' }]);
  assert.deepEqual(parseBlocks('<script>alert(1)</script>'),
    [{ type: 'para', lines: [[{ type: 'text', text: '<script>alert(1)</script>' }]] }]);
});

test('inline code, bold, italic and bare URLs', () => {
  assert.deepEqual(parseInline('a `x < y` **b** *c* _d_ see https://a.io/x.'), [
    { type: 'text', text: 'a ' }, { type: 'code', text: 'x < y' }, { type: 'text', text: ' ' },
    { type: 'strong', children: [{ type: 'text', text: 'b' }] }, { type: 'text', text: ' ' },
    { type: 'em', children: [{ type: 'text', text: 'c' }] }, { type: 'text', text: ' ' },
    { type: 'em', children: [{ type: 'text', text: 'd' }] }, { type: 'text', text: ' see ' },
    { type: 'link', href: 'https://a.io/x', children: [{ type: 'text', text: 'https://a.io/x' }] }, { type: 'text', text: '.' },
  ]);
  assert.deepEqual(parseInline('snake_case_name 2*3*4'), [{ type: 'text', text: 'snake_case_name 2*3*4' }]);
  assert.deepEqual(parseInline('\\*not em\\*'), [{ type: 'text', text: '*not em*' }]);
});

test('code fences keep their text verbatim, even unclosed while streaming', () => {
  assert.deepEqual(parseBlocks('Look:\n```js\nif (a < b) { **x** }\n```\nafter'), [
    { type: 'para', lines: [[{ type: 'text', text: 'Look:' }]] },
    { type: 'code', lang: 'js', text: 'if (a < b) { **x** }' },
    { type: 'para', lines: [[{ type: 'text', text: 'after' }]] },
  ]);
  assert.deepEqual(parseBlocks('```\npartial'), [{ type: 'code', lang: '', text: 'partial' }]);
});

test('lists, headings and quotes', () => {
  const blocks = parseBlocks('# Title\n\n- one\n- two\n  more\n\n3. three\n4. four\n\n> quoted');
  assert.deepEqual(blocks.map((b) => b.type), ['heading', 'list', 'list', 'quote']);
  assert.deepEqual(blocks[1].items, [[{ type: 'text', text: 'one' }], [{ type: 'text', text: 'two more' }]]);
  assert.equal(blocks[2].ordered, true);
  assert.equal(blocks[2].start, 3);
  assert.deepEqual(blocks[3].blocks, [{ type: 'para', lines: [[{ type: 'text', text: 'quoted' }]] }]);
});
