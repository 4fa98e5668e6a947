import { describe, expect, test } from "vitest";
import { marked } from "marked";
import { escapeHtml, renderMarkdown, renderMarkdownToText } from "./markdown.ts";

const REL = 'rel="nofollow noopener noreferrer"';

// Every tag the renderer may emit, with the only attributes it may carry. Whatever is left after
// removing these must contain no `<` or `>` at all: all other markup has to be escaped text.
const ALLOWED_TAG =
  /<\/?(?:p|br|strong|em|del|code|pre|blockquote|ul|li|h[3-6]|hr|table|thead|tbody|tr|th|td)>|<ol(?: start="\d+")?>|<\/ol>|<a href="(?:https?|mailto):[^"<>]*"(?: title="[^"<>]*")? rel="nofollow noopener noreferrer">|<\/a>/gi;

/** The checks every rendering of hostile input must pass. */
function expectSafeHtml(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img/i);
  expect(html).not.toMatch(/<iframe/i);
  expect(html).not.toMatch(/<svg/i);
  expect(html).not.toMatch(/<style/i);
  // Attributes are only dangerous inside real tags; escaped text may mention them freely.
  for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
    const names = tag.replace(/"[^"]*"/g, '""'); // attribute names only, not quoted values
    expect(names).not.toMatch(/\son[a-z]+\s*=/i);
    expect(names).not.toMatch(/\sstyle\s*=/i);
    expect(names).not.toMatch(/\s(?:class|id)\s*=/i);
    expect(tag).not.toMatch(/href\s*=\s*["']?\s*(?:javascript|vbscript|data):/i);
  }
  for (const anchor of html.match(/<a\s[^>]*>/gi) ?? []) expect(anchor).toContain(REL);
  expect(html.replace(ALLOWED_TAG, "")).not.toMatch(/[<>]/);
}

describe("escapeHtml", () => {
  test("escapes the five significant characters", () => {
    expect(escapeHtml(`Tom & "Jerry's" <b>`)).toBe("Tom &amp; &quot;Jerry&#39;s&quot; &lt;b&gt;");
  });

  test("escapes an existing entity again (it is plain text, not HTML)", () => {
    expect(escapeHtml("&amp;")).toBe("&amp;amp;");
  });

  test("leaves ordinary text alone", () => {
    expect(escapeHtml("API latency — EU")).toBe("API latency — EU");
  });
});

describe("renderMarkdown: ordinary markdown", () => {
  const cases: Array<[name: string, markdown: string, html: string]> = [
    ["empty", "", ""],
    ["paragraphs", "First.\n\nSecond.", "<p>First.</p>\n<p>Second.</p>"],
    ["single newline is a line break", "Investigating.\nMore soon.", "<p>Investigating.<br>More soon.</p>"],
    ["bold, italic, strikethrough", "**down** *slow* ~~fine~~", "<p><strong>down</strong> <em>slow</em> <del>fine</del></p>"],
    ["bullet list", "- API\n- Dashboard", "<ul>\n<li>API</li>\n<li>Dashboard</li>\n</ul>"],
    ["nested list", "- a\n  - b\n- c", "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n<li>c</li>\n</ul>"],
    ["ordered list", "1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"],
    ["ordered list keeps its start", "3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'],
    ["task list as text", "- [x] done\n- [ ] todo", "<ul>\n<li>☑ done</li>\n<li>☐ todo</li>\n</ul>"],
    ["link", "See [details](https://example.com/x).", `<p>See <a href="https://example.com/x" ${REL}>details</a>.</p>`],
    ["link with title", '[a](https://example.com "More")', `<p><a href="https://example.com" title="More" ${REL}>a</a></p>`],
    ["mailto link", "[mail us](mailto:ops@example.com)", `<p><a href="mailto:ops@example.com" ${REL}>mail us</a></p>`],
    ["upper-case scheme", "[a](HTTPS://example.com)", `<p><a href="HTTPS://example.com" ${REL}>a</a></p>`],
    ["autolink", "<https://example.com/?a=1&b=2>", `<p><a href="https://example.com/?a=1&amp;b=2" ${REL}>https://example.com/?a=1&amp;b=2</a></p>`],
    ["bare www link", "www.example.com", `<p><a href="http://www.example.com" ${REL}>www.example.com</a></p>`],
    ["bare email", "ops@example.com", `<p><a href="mailto:ops@example.com" ${REL}>ops@example.com</a></p>`],
    ["entity in a link destination", "[a](https://example.com/?a=1&amp;b=2)", `<p><a href="https://example.com/?a=1&amp;b=2" ${REL}>a</a></p>`],
    ["space in a destination is percent-encoded", "[a](<https://example.com/a b>)", `<p><a href="https://example.com/a%20b" ${REL}>a</a></p>`],
    ["relative link becomes text", "[incident](/incidents/1)", "<p>incident</p>"],
    ["fragment link becomes text", "[top](#top)", "<p>top</p>"],
    ["image becomes a link labelled with its alt text", "![graph](https://example.com/g.png)", `<p><a href="https://example.com/g.png" ${REL}>graph</a></p>`],
    ["image without alt text is labelled with its URL", "![](https://example.com/g.png)", `<p><a href="https://example.com/g.png" ${REL}>https://example.com/g.png</a></p>`],
    ["image inside a link keeps only its alt text", "[![build](https://example.com/b.svg)](https://ci.example.com)", `<p><a href="https://ci.example.com" ${REL}>build</a></p>`],
    ["inline code", "Run `deploy --force`.", "<p>Run <code>deploy --force</code>.</p>"],
    ["inline code with HTML is escaped once", "`<b>`", "<p><code>&lt;b&gt;</code></p>"],
    ["inline code with an entity shows the entity", "`&amp;`", "<p><code>&amp;amp;</code></p>"],
    ["code block, language class dropped", "```js\nif (a < b && c) {}\n```", "<pre><code>if (a &lt; b &amp;&amp; c) {}\n</code></pre>"],
    ["code block with HTML", "```\n<b>&amp;</b>\n```", "<pre><code>&lt;b&gt;&amp;amp;&lt;/b&gt;\n</code></pre>"],
    ["# is h3", "# Title", "<h3>Title</h3>"],
    ["## is h4", "## Title", "<h4>Title</h4>"],
    ["### is h5", "### Title", "<h5>Title</h5>"],
    ["###### is h5 too", "###### Title", "<h5>Title</h5>"],
    ["setext heading", "Title\n=====", "<h3>Title</h3>"],
    ["blockquote", "> quoted\n> lines", "<blockquote>\n<p>quoted<br>lines</p>\n</blockquote>"],
    ["horizontal rule", "a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>"],
    [
      "table without alignment attributes",
      "| Region | State |\n|:--|--:|\n| EU | **down** |",
      "<table>\n<thead>\n<tr>\n<th>Region</th>\n<th>State</th>\n</tr>\n</thead>\n<tbody><tr>\n<td>EU</td>\n<td><strong>down</strong></td>\n</tr>\n</tbody></table>",
    ],
    ["entities are kept, bare & is escaped", "Q&amp;A &copy; R&D", "<p>Q&amp;A &copy; R&amp;D</p>"],
    ["quotes in text", `He said "it's fine"`, "<p>He said &quot;it&#39;s fine&quot;</p>"],
    ["backslash escape", "\\*not bold\\*", "<p>*not bold*</p>"],
  ];

  for (const [name, markdown, html] of cases) {
    test(name, () => {
      const out = renderMarkdown(markdown);
      expect(out).toBe(html);
      expectSafeHtml(out);
    });
  }

  test('" and \' in a link title are escaped inside the attribute', () => {
    expect(renderMarkdown(`[a](https://example.com "say \\"hi\\" it's")`)).toBe(
      `<p><a href="https://example.com" title="say &quot;hi&quot; it&#39;s" ${REL}>a</a></p>`,
    );
    expect(renderMarkdown(`[a](https://example.com 'it\\'s "x"')`)).toBe(
      `<p><a href="https://example.com" title="it&#39;s &quot;x&quot;" ${REL}>a</a></p>`,
    );
  });

  test("a title cannot break out of its attribute", () => {
    const out = renderMarkdown(`[x](https://example.com "\\" onmouseover=\\"alert(1)")`);
    expect(out).toBe(`<p><a href="https://example.com" title="&quot; onmouseover=&quot;alert(1)" ${REL}>x</a></p>`);
    expectSafeHtml(out);
  });

  test("the global marked instance is left untouched", () => {
    renderMarkdown("# x <b>y</b>");
    expect(marked.parse("# x <b>y</b>", { async: false })).toBe("<h1>x <b>y</b></h1>\n");
  });
});

// [name, markdown, exact HTML, exact plain text]
const hostile: Array<[name: string, markdown: string, html: string, text: string]> = [
  ["raw <script>", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"],
  ["inline <script>", "x <script>alert(1)</script> y", "<p>x &lt;script&gt;alert(1)&lt;/script&gt; y</p>", "x <script>alert(1)</script> y"],
  // Inside an inline <pre>/<script> marked passes text through raw; it must still be escaped.
  ["text inside inline <pre>", 'a <pre>&amp; "q" *b*</pre>', "<p>a &lt;pre&gt;&amp;amp; &quot;q&quot; <em>b</em>&lt;/pre&gt;</p>", 'a <pre>&amp; "q" b</pre>'],
  ["<script> in bold", "**<script>alert(1)</script>**", "<p><strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong></p>", "<script>alert(1)</script>"],
  ["<img onerror>", "<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>", "<img src=x onerror=alert(1)>"],
  ["javascript: link", "[x](javascript:alert(1))", "<p>x</p>", "x"],
  ["JAVASCRIPT: link", "[x](JAVASCRIPT:alert(1))", "<p>x</p>", "x"],
  ["leading space before javascript:", "[x]( javascript:alert(1))", "<p>x</p>", "x"],
  ["tab entity inside javascript:", "[x](jav&#x09;ascript:alert(1))", "<p>x</p>", "x"],
  ["entity-encoded j", "[x](&#106;avascript:alert(1))", "<p>x</p>", "x"],
  ["entity-encoded colon", "[x](javascript&colon;alert(1))", "<p>x</p>", "x"],
  ["hex entities", "[x](&#x6A;avascript&#x3A;alert(1))", "<p>x</p>", "x"],
  ["space inside the scheme", "[x](<java script:alert(1)>)", "<p>x</p>", "x"],
  ["javascript: link with title", '[x](javascript:alert(1) "t")', "<p>x</p>", "x"],
  ["vbscript: link", "[x](vbscript:msgbox(1))", "<p>x</p>", "x"],
  ["data: link", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>", "x"],
  ["raw <a href=javascript:>", '<a href="javascript:alert(1)">x</a>', "<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>", '<a href="javascript:alert(1)">x</a>'],
  ["raw <a> with a safe href is still text", "<a href=https://example.com>x</a>", "<p>&lt;a href=https://example.com&gt;x&lt;/a&gt;</p>", "<a href=https://example.com>x</a>"],
  ["javascript: image", "![x](javascript:alert(1))", "<p>x</p>", "x"],
  ["data: image", "![x](data:image/svg+xml;base64,PHN2Zz4=)", "<p>x</p>", "x"],
  ["<svg onload>", "<svg onload=alert(1)>", "<p>&lt;svg onload=alert(1)&gt;</p>", "<svg onload=alert(1)>"],
  ["<iframe>", "<iframe src=//evil>", "<p>&lt;iframe src=//evil&gt;</p>", "<iframe src=//evil>"],
  ["<style>", "<style>body{display:none}</style>", "<p>&lt;style&gt;body{display:none}&lt;/style&gt;</p>", "<style>body{display:none}</style>"],
  [
    "style, class, id and handlers on raw HTML",
    '<div style="color:red" class="x" id="y" onclick="alert(1)">hi</div>',
    "<p>&lt;div style=&quot;color:red&quot; class=&quot;x&quot; id=&quot;y&quot; onclick=&quot;alert(1)&quot;&gt;hi&lt;/div&gt;</p>",
    '<div style="color:red" class="x" id="y" onclick="alert(1)">hi</div>',
  ],
  ["multi-line HTML block keeps its lines", "<div>\nhello\n</div>", "<p>&lt;div&gt;<br>hello<br>&lt;/div&gt;</p>", "<div>\nhello\n</div>"],
  ["HTML comment", "<!-- <script>alert(1)</script> -->", "<p>&lt;!-- &lt;script&gt;alert(1)&lt;/script&gt; --&gt;</p>", "<!-- <script>alert(1)</script> -->"],
  ["autolink javascript:", "<javascript:alert(1)>", "<p>javascript:alert(1)</p>", "javascript:alert(1)"],
  ["reference-style javascript:", "[x][1]\n\n[1]: javascript:alert(1)", "<p>x</p>", "x"],
  ["<script> in a code span", "`<script>alert(1)</script>`", "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>", "<script>alert(1)</script>"],
  ["<script> in a code block", "```\n<script>alert(1)</script>\n```", "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>", "<script>alert(1)</script>"],
  ["entity-encoded <script> stays text", "&lt;script&gt;alert(1)&lt;/script&gt;", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"],
  [
    "<img> as a link label",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    `<p><a href="https://example.com" ${REL}>&lt;img src=x onerror=alert(1)&gt;</a></p>`,
    "<img src=x onerror=alert(1)> (https://example.com)",
  ],
  [
    "quote in a destination cannot add an attribute",
    '[x](https://example.com/"onmouseover=alert(1))',
    `<p><a href="https://example.com/%22onmouseover=alert(1)" ${REL}>x</a></p>`,
    'x (https://example.com/"onmouseover=alert(1))',
  ],
  [
    "quote after an autolink",
    '<https://example.com/" onmouseover="alert(1)>',
    `<p>&lt;<a href="https://example.com/" ${REL}>https://example.com/</a>&quot; onmouseover=&quot;alert(1)&gt;</p>`,
    '<https://example.com/" onmouseover="alert(1)>',
  ],
  [
    "xlink:href in MathML",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<p>&lt;math&gt;&lt;mi xlink:href=&quot;javascript:alert(1)&quot;&gt;x&lt;/mi&gt;&lt;/math&gt;</p>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  ],
  [
    "<img> in a table cell",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody><tr>\n<td>&lt;img src=x onerror=alert(1)&gt;</td>\n</tr>\n</tbody></table>",
    "a\n<img src=x onerror=alert(1)>",
  ],
  [
    "hostile list items",
    "- [x](javascript:alert(1))\n- <script>alert(1)</script>",
    "<ul>\n<li>x</li>\n<li><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n</li>\n</ul>",
    "- x\n- <script>alert(1)</script>",
  ],
];

describe("renderMarkdown: hostile input", () => {
  for (const [name, markdown, html] of hostile) {
    test(name, () => {
      const out = renderMarkdown(markdown);
      expectSafeHtml(out);
      expect(out).toBe(html);
    });
  }
});

describe("renderMarkdownToText: hostile input keeps the words as plain text", () => {
  for (const [name, markdown, , text] of hostile) {
    test(name, () => {
      expect(renderMarkdownToText(markdown)).toBe(text);
    });
  }
});

describe("renderMarkdownToText: ordinary markdown", () => {
  const cases: Array<[name: string, markdown: string, text: string]> = [
    ["empty", "", ""],
    ["paragraphs and line breaks", "Investigating.\nMore soon.\n\nUpdate at 14:00.", "Investigating.\nMore soon.\n\nUpdate at 14:00."],
    ["emphasis markers dropped", "**down** *slow* ~~fine~~ `code`", "down slow fine code"],
    ["heading without #", "# Title\n\nBody", "Title\n\nBody"],
    ["bullet list", "* API\n* Dashboard", "- API\n- Dashboard"],
    ["nested list", "- a\n  - b\n- c", "- a\n  - b\n- c"],
    ["ordered list keeps its numbers", "3. three\n4. four", "3. three\n4. four"],
    ["loose list", "- a\n\n- b", "- a\n\n- b"],
    ["multi-line list item is indented", "1. first\n   still first\n2. second", "1. first\n   still first\n2. second"],
    ["task list", "- [x] done\n- [ ] todo", "- [x] done\n- [ ] todo"],
    ["link as label (url)", "See [details](https://example.com/x).", "See details (https://example.com/x)."],
    ["link whose label is its URL", "[https://example.com](https://example.com)", "https://example.com"],
    ["autolinks appear once", "<https://example.com> www.example.com ops@example.com", "https://example.com www.example.com ops@example.com"],
    ["refused link keeps only the label", "[incident](/incidents/1)", "incident"],
    ["entities in a destination are decoded", "[a](https://example.com/?a=1&amp;b=2)", "a (https://example.com/?a=1&b=2)"],
    ["image as alt (url)", "![graph](https://example.com/g.png)", "graph (https://example.com/g.png)"],
    ["image inside a link", "[![build](https://example.com/b.svg)](https://ci.example.com)", "build (https://ci.example.com)"],
    ["entities decoded", "Q&amp;A &lt;EU&gt; &copy; &#8212; &#x2713;", "Q&A <EU> © — ✓"],
    ["unknown entity left as typed", "&bogus; stays", "&bogus; stays"],
    ["backslash escapes", "\\*not bold\\* \\&amp;", "*not bold* &amp;"],
    ["code block kept verbatim", "```\nif (a < b && c) {}\n  indented &amp;\n```", "if (a < b && c) {}\n  indented &amp;"],
    ["blockquote", "> quoted\n> lines\n>\n> - item", "> quoted\n> lines\n>\n> - item"],
    ["horizontal rule", "a\n\n***\n\nb", "a\n\n---\n\nb"],
    ["table", "| Region | State |\n|--|--|\n| EU | **down** |", "Region | State\nEU | down"],
  ];

  for (const [name, markdown, text] of cases) {
    test(name, () => {
      expect(renderMarkdownToText(markdown)).toBe(text);
    });
  }
});

describe("large and pathological input", () => {
  // ~100 KB of a realistic update: every construct, many times over.
  const unit = [
    "## Update",
    "We are **investigating** elevated error rates in *eu-west*.",
    "Next update in 30 minutes.",
    "",
    "- API: degraded",
    "- Dashboard: [status](https://example.com/status)",
    "",
    "`retry-after` is honoured. <script>alert(1)</script>",
    "",
    "",
  ].join("\n");
  const large = unit.repeat(Math.ceil(100_000 / unit.length));

  test("a 100 KB update renders completely", () => {
    expect(large.length).toBeGreaterThanOrEqual(100_000);
    const html = renderMarkdown(large);
    const repeats = Math.ceil(100_000 / unit.length);
    expect(html.match(/<h4>Update<\/h4>/g)?.length).toBe(repeats);
    expect(html.match(/&lt;script&gt;alert\(1\)&lt;\/script&gt;/g)?.length).toBe(repeats);
    expectSafeHtml(html);
  });

  test("a 100 KB update renders to text completely", () => {
    const text = renderMarkdownToText(large);
    expect(text.match(/^- Dashboard: status \(https:\/\/example\.com\/status\)$/gm)?.length).toBe(Math.ceil(100_000 / unit.length));
  });

  test("100 KB of raw hostile HTML stays escaped", () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>\n'.repeat(1_600));
    expectSafeHtml(html);
  });

  // marked recurses per nesting level and runs out of stack on a few thousand levels (well
  // within the API's 20,000-character body limit); the body must still render, as text.
  test.each([
    ["nested blockquotes", "> ".repeat(10_000) + "<script>alert(1)</script>"],
    ["nested ordered lists", "1. ".repeat(6_000) + "[x](javascript:alert(1))"],
  ])("%s do not throw", (_name, markdown) => {
    let html = "";
    expect(() => {
      html = renderMarkdown(markdown);
    }).not.toThrow();
    expectSafeHtml(html);
    expect(html).toContain("alert(1)"); // the words survive
    expect(() => renderMarkdownToText(markdown)).not.toThrow();
  });
});

describe("pathological emphasis (marked issue #4099)", () => {
  test("a body full of mixed * and _ delimiters is shown as escaped text, quickly", () => {
    const body = "_*a".repeat(6666);
    const started = performance.now();
    const html = renderMarkdown(body);
    const text = renderMarkdownToText(body);
    // Not a timing assertion on the machine: the fallback is taken, which is what keeps it fast.
    expect(html).toBe(`<p>${body}</p>`);
    expect(text).toBe(body);
    expect(performance.now() - started).toBeGreaterThanOrEqual(0);
  });

  test("an ordinary body with some emphasis still renders as Markdown", () => {
    const paragraph = "Still **degraded** in _eu-west_; the team is on it. ".repeat(50);
    const body = Array(10).fill(paragraph).join("\n\n");
    expect(body.match(/[*_]/g)!.length).toBeGreaterThan(2000);
    expect(renderMarkdown(body)).toContain("Still <strong>degraded</strong> in <em>eu-west</em>; the team");
  });
});
