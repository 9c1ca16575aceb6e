#!/usr/bin/env python
"""Check the tutorial site the way a reader meets it, without Quarto.

1. Each page notebook (`nbs/*.ipynb` not starting with `_`; index first, then sidebar.yml's order) goes
   through nbdev's docs processors (`FilterDefaults`, what `nbdev_docs` runs before Quarto: hidden and
   exported cells removed, `show_doc` rendered, doc links added), then nbconvert renders it to HTML from
   its stored outputs, named as the site names it (`06_sigreg.ipynb` -> `sigreg.html`), with a sidebar in
   reading order and Quarto's heading ids. Nothing runs but what nbdev runs to render `show_doc` (exported
   cells, import cells, `show_doc` calls); a cell that mixes imports with other code, which `nbdev_docs`
   would run at every build, is reported instead.
2. Headless Chromium loads every page offline and saves a whole-page screenshot; the check fails on a JS
   error or failed load, an empty figure, a math error, a broken internal link or anchor, a chapter
   without stored outputs (or a `#| slow` cell without one, or a stored error), and stored outputs older
   than the exported code (fingerprints in `nbs/_outputs_version.json`, written by `--record`).

    python tools/site_check.py                 # render, load, screenshot into _site_check/, print the table
    python tools/site_check.py --record [NB..]  # after executing notebooks: record their code fingerprints
    python tools/site_check.py --no-browser    # static checks only (no Chromium)
    python tools/site_check.py --no-screenshots  # every check, no screenshots (what the test suite runs; half the time)

Exit status: 0 when every page is OK, 1 otherwise.
"""
import argparse, base64, datetime, hashlib, html, io, json, os, re, shutil, subprocess, sys, tempfile, time, warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
RECORD = '_outputs_version.json'            # in the notebooks folder; `_` keeps Quarto and nbdev away from it
HIDDEN = {'export', 'exporti', 'hide', 'default_exp'}   # nbdev's `rm_export`: these cells never reach the page
EXPORTED = {'export', 'exports', 'exporti'}
RESULT_ID = '__site_check_result'

# ---------------------------------------------------------------- pages
def get_config(root):
    "nbdev's config of the project at `root` (nbdev 2.4's `get_config(path=)` searches from the cwd, not from `path`)."
    from nbdev.config import get_config as gc
    cwd = os.getcwd()
    try: os.chdir(root); return gc()
    finally: os.chdir(cwd)

def _sidebar_entries(contents):
    "Flatten Quarto sidebar `contents` into notebook paths (strings, `{href:}` and `{section:, contents:}`)."
    for o in contents or []:
        if isinstance(o, str): yield o
        elif isinstance(o, dict):
            if 'href' in o: yield o['href']
            yield from _sidebar_entries(o.get('contents'))

def html_name(rel):
    "Where the site puts notebook `rel` (nbdev's `output-file`): `01_data.ipynb` -> `data.html`."
    rel = Path(rel)
    return rel.with_name(re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.name.lower())).with_suffix('.html').as_posix()

def find_pages(nbs):
    "[(notebook path relative to `nbs`, in_sidebar, exists)] in reading order: index, sidebar.yml, then the rest."
    nbs = Path(nbs)
    on_disk = sorted(p.relative_to(nbs).as_posix() for p in nbs.rglob('*.ipynb')
                     if not any(s.startswith(('_', '.')) for s in p.relative_to(nbs).parts))
    side = []
    if (nbs / 'sidebar.yml').exists():
        import yaml
        d = yaml.safe_load((nbs / 'sidebar.yml').read_text()) or {}
        side = [s for s in _sidebar_entries(d.get('website', {}).get('sidebar', {}).get('contents'))
                if s.endswith('.ipynb')]
    order = [s for s in side if s == 'index.ipynb'] + [s for s in side if s != 'index.ipynb']
    if 'index.ipynb' in on_disk and 'index.ipynb' not in order: order.insert(0, 'index.ipynb')
    seen = set(order)
    return [(s, s in side, s in on_disk) for s in order] + [(s, False, True) for s in on_disk if s not in seen]

# ---------------------------------------------------------------- stored outputs
def _read(path):
    from execnb.nbio import read_nb
    return read_nb(path)

def directives(cell):
    "nbdev's view of a cell's `#|` flags, without touching the cell."
    from nbdev.process import extract_directives
    from fastcore.basics import AttrDict
    if cell.get('cell_type') != 'code' or not cell.get('source'): return {}
    return extract_directives(AttrDict(source=_src(cell)), remove=False)

def _src(cell):
    s = cell.get('source', '')
    return s if isinstance(s, str) else ''.join(s)

def _first_line(cell):
    return next((l.strip() for l in _src(cell).splitlines() if l.strip() and not l.lstrip().startswith('#|')), '')[:60]

def _check_image(data, mime):
    "Problem with one stored image output, or None."
    try: raw = base64.b64decode(data if isinstance(data, str) else ''.join(data))
    except Exception as e: return f'{mime} output does not decode ({e})'
    if mime == 'image/svg+xml': return None
    try:
        from PIL import Image
        im = Image.open(io.BytesIO(raw)); im.load()
    except Exception as e: return f'{mime} output is not an image ({e})'
    if min(im.size) < 8: return f'{mime} output is {im.size[0]}x{im.size[1]} px'
    ext = im.convert('RGB').getextrema()
    if all(lo == hi for lo, hi in ext): return f'{mime} output is a blank {im.size[0]}x{im.size[1]} image'
    return None

_re_fig_repr = re.compile(r'^<Figure size [\dx.]+ with \d+ Axes>$')

# what a reader should never see in a stored output: where the notebook ran, a crash, terminal colours, library noise
_NOISE = {'a path of the machine that ran it': re.compile(r'(?<![\w.~])/(?:work|tmp|root|home|Users|opt|usr|var|private)/[\w.+-]'),
          'a traceback': re.compile(r'Traceback \(most recent call last\)'),
          'an ANSI escape': re.compile(r'\x1b\['),
          'a warning': re.compile(r'\b\w*Warning: |^WARNING\b', re.M)}

def output_problems(nb):
    "Problems with a notebook's stored outputs: never executed, a `#| slow` cell without output, stored errors, empty figures, `_NOISE`."
    probs, code = [], [c for c in nb['cells'] if c['cell_type'] == 'code' and _src(c).strip()]
    shown = [c for c in code if not (directives(c).keys() & HIDDEN) and directives(c).get('eval:') != ['false']]
    if shown and not any(c.get('outputs') for c in code):
        probs.append(f'no stored outputs at all ({len(shown)} code cells on the page): execute the notebook')
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code': continue
        d, outs = directives(c), c.get('outputs') or []
        if 'slow' in d and not outs: probs.append(f'`#| slow` cell {i} ({_first_line(c)!r}) has no stored output')
        for o in outs:
            if o.get('output_type') == 'error': probs.append(f'cell {i} stored an error: {o.get("ename")}: {str(o.get("evalue"))[:80]}')
            data = o.get('data') or {}
            for mime in ('image/png', 'image/jpeg', 'image/svg+xml'):
                if mime in data and mime != 'image/svg+xml':
                    p = _check_image(data[mime], mime)
                    if p: probs.append(f'cell {i}: {p}')
            shown_text = ''.join(o.get('text', '')) + ''.join(''.join(data.get(m, '')) for m in ('text/plain', 'text/markdown', 'text/html'))
            for what, rx in _NOISE.items():
                if m := rx.search(shown_text): probs.append(f'cell {i} stored {what}: {m.group(0).strip()[:60]!r}')
            txt = ''.join(data.get('text/plain', '')).strip()
            if _re_fig_repr.match(txt) and not any(m in (x.get('data') or {}) for x in outs for m in ('image/png', 'image/svg+xml', 'image/jpeg')):
                probs.append(f'cell {i} stored `{txt}` but no image (figure missing)')
    return probs

# ---------------------------------------------------------------- output fingerprints
def _sha(*parts):
    h = hashlib.sha256()
    for p in parts: h.update(p.encode()); h.update(b'\0')
    return h.hexdigest()[:16]

def export_sha(nb):
    "Fingerprint of the code a notebook exports (its `#| export`/`exports`/`exporti` cells)."
    return _sha(*[_src(c).strip() for c in nb['cells'] if c['cell_type'] == 'code' and directives(c).keys() & EXPORTED])

def outputs_sha(nb):
    "Fingerprint of the stored outputs (content only: unchanged by `nbdev_clean`)."
    keep = ('output_type', 'name', 'text', 'data', 'ename', 'evalue')
    outs = [[{k: o[k] for k in keep if k in o} for o in c.get('outputs') or []] for c in nb['cells'] if c['cell_type'] == 'code']
    return _sha(json.dumps(outs, sort_keys=True))

def _has_fingerprint(nb):
    return any(c.get('outputs') for c in nb['cells']) or any(directives(c).keys() & EXPORTED for c in nb['cells'])

def library_sha(nbs, pages):
    return _sha(*[f'{p}:{export_sha(_read(Path(nbs) / p))}' for p, _, ok in pages if ok])

def lib_version(root):
    m = re.search(r'^version\s*=\s*(\S+)', (Path(root) / 'settings.ini').read_text(), re.M) if (Path(root) / 'settings.ini').exists() else None
    return m.group(1) if m else 'unknown'

def record(nbs, names, root=ROOT):
    "Write the fingerprints of `names` (stored outputs were just made from the current code) into `nbs/_outputs_version.json`."
    nbs, path = Path(nbs), Path(nbs) / RECORD
    rec = json.loads(path.read_text()) if path.exists() else {}
    rec.setdefault('about', 'Fingerprints of the exported code each notebook\'s stored outputs were made with; '
                            'written by `python tools/site_check.py --record` after executing the notebooks, checked by the site check.')
    books = rec.setdefault('notebooks', {})
    lsha, version, when = library_sha(nbs, find_pages(nbs)), lib_version(root), datetime.date.today().isoformat()
    for n in names:
        nb = _read(nbs / n)
        for p in output_problems(nb): print(f'warning: {n}: {p}', file=sys.stderr)
        books[n] = dict(export_sha=export_sha(nb), outputs_sha=outputs_sha(nb), library_sha=lsha, version=version, recorded=when)
    rec['notebooks'] = dict(sorted(books.items()))
    path.write_text(json.dumps(rec, indent=1, ensure_ascii=False) + '\n')
    return rec

def stale_problems(nbs, name, nb, lsha=None):
    "([problems], [notes]) comparing a notebook with its recorded fingerprint."
    path = Path(nbs) / RECORD
    rec = (json.loads(path.read_text()) if path.exists() else {}).get('notebooks', {}).get(name)
    if not _has_fingerprint(nb): return [], []
    if rec is None: return [f'no output fingerprint recorded: execute it, then `python tools/site_check.py --record {name}`'], []
    probs, notes = [], []
    same_out = rec.get('outputs_sha') == outputs_sha(nb)
    if rec.get('export_sha') != export_sha(nb):
        probs.append('exported code changed since its outputs were made: re-execute it, then --record' if same_out else
                     'exported code and outputs changed since the record: if it was re-executed, run --record')
    else:
        if not same_out: notes.append('outputs changed since the record (same exported code): run --record if they are final')
        if lsha and rec.get('library_sha') not in (None, lsha): notes.append('other notebooks\' exported code changed since these outputs were made')
    return probs, notes

# ---------------------------------------------------------------- nbdev processing + nbconvert
def _docs_procs():
    "nbdev's docs processors, except that cells mixing imports with other code are reported instead of run."
    from nbdev.processors import FilterDefaults, exec_show_docs, _do_eval
    class exec_docs(exec_show_docs):
        def begin(self):
            super().begin()
            self.nb.mixed_ = []
            if hasattr(self, 'k'): self.k.timeout = 120
        def __call__(self, cell):
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter('always')
                _do_eval(cell)
            if any('imports and other code' in str(w.message) for w in ws): self.nb.mixed_.append((_first_line(cell), 'slow' in cell.directives_)); return
            super().__call__(cell)
    class Procs(FilterDefaults):
        run = True
        def base_procs(self):
            return [exec_docs if p is exec_show_docs else p for p in super().base_procs() if self.run or p is not exec_show_docs]
    return Procs

def title_cell_problem(nb):
    "nbdev makes the first `# Title` markdown cell the page's front matter and drops everything else in it: report such text."
    for c in nb.cells:
        if c.cell_type != 'markdown' or not re.search(r'^#\s+\S', c.source, flags=re.M): continue
        rest = [l for l in c.source.splitlines() if l.strip() and not re.match(r'^(#\s|>\s|-\s+\S.*:.*\S\s*$)', l)]
        return (f'the title cell holds more than the title and description, and the site drops it ({rest[0][:40]!r}...): '
                'move it to a markdown cell of its own') if rest else None
    return None

def process(path, run_show_doc=True):
    """The notebook as `nbdev_docs` hands it to Quarto, with ([problems], [notes]) from processing.
    nbdev runs the exported cells, import cells and `show_doc` cells to render the API docs; so do we (nothing else)."""
    probs, notes, old = [], [], os.environ.get('IN_TEST')
    os.environ['IN_TEST'] = '1'
    Procs = _docs_procs()
    try:
        nb = _read(path)
        if (tp := title_cell_problem(nb)): probs.append(tp)
        try:
            Procs.run = run_show_doc
            Procs()(nb)
        except Exception as e:
            cause = f' -> {type(e.__cause__).__name__}: {e.__cause__}' if e.__cause__ else ''
            probs.append(f'nbdev_docs would fail: {str(e).splitlines()[0]}{cause}')
            Procs.run = False
            nb = _read(path); Procs()(nb)
        for first, slow in getattr(nb, 'mixed_', []):
            probs.append(f'{"a `#| slow` cell" if slow else "a cell"} mixes imports with other code, so nbdev_docs runs it '
                         f'at every build: move its imports to an imports cell ({first!r})')
    finally:
        if old is None: os.environ.pop('IN_TEST', None)
        else: os.environ['IN_TEST'] = old
    return nb, probs, notes

_re_link_attrs = re.compile(r'(\]\([^)\s]*\))\{[^}\n]*\}')

def reader_nb(nb):
    "Apply what Quarto does with the processed notebook's frontmatter and cell options, as an nbformat notebook."
    import nbformat, yaml
    from execnb.nbio import nb2dict
    d, cells, title = nb2dict(nb), [], None
    for c in d['cells']:
        src = ''.join(c.get('source', ''))
        if c['cell_type'] == 'raw' and src.strip().startswith('---'):
            fm = yaml.safe_load(src.strip().strip('-')) or {}
            title = fm.get('title')
            desc = re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(str(fm.get('description', ''))))
            desc = f'<p class="description">{desc}</p>' if desc else ''
            head = f'<header id="title-block-header"><h1 class="title">{html.escape(str(title))}</h1>{desc}</header>' if title else ''
            if head: cells.append(dict(cell_type='markdown', metadata={}, source=head))
            continue
        if c['cell_type'] == 'code':
            opts = dict(re.findall(r'^#\|\s*([\w-]+)\s*:\s*(.*?)\s*$', src, re.M))
            if opts.get('include') == 'false': continue
            src = re.sub(r'^#\|.*\n?', '', src, flags=re.M)
            c['source'] = src
            if opts.get('output') == 'false': c['outputs'] = []
            if opts.get('echo') == 'false': c.setdefault('metadata', {})['tags'] = ['remove_input']
            if not src.strip() and not c.get('outputs'): continue
            for o in c.get('outputs', []):                   # show_doc's `[source](url){target=...}`: Quarto link attributes
                md = (o.get('data') or {}).get('text/markdown')
                if md: o['data']['text/markdown'] = _re_link_attrs.sub(r'\1', md if isinstance(md, str) else ''.join(md))
            c.setdefault('execution_count', None); c.setdefault('outputs', [])
        if c['cell_type'] == 'markdown': c['source'] = _re_link_attrs.sub(r'\1', ''.join(c.get('source', '')))
        c.setdefault('metadata', {})
        cells.append(c)
    for i, c in enumerate(cells): c['id'] = f'cell-{i}'
    d['cells'] = cells
    d.setdefault('metadata', {})['title'] = title or ''
    return nbformat.reads(json.dumps(d), as_version=4), title

def pandoc_id(text, seen):
    "Pandoc's `auto_identifiers` (what Quarto gives a heading), made unique within a page."
    s = ''.join(ch for ch in text if ch.isalnum() or ch in '_-.' or ch.isspace())
    s = re.sub(r'\s+', '-', s.strip()).lower()
    while s and not s[0].isalpha(): s = s[1:]
    s = s or 'section'
    base, n = s, 0
    while s in seen: n += 1; s = f'{base}-{n}'
    seen.add(s)
    return s

_re_heading = re.compile(r'<h([1-6])([^>]*)>(.*?)</h\1>', re.S)

def quarto_ids(page):
    "Give headings Quarto's ids (`{#id}` or pandoc's rule) instead of nbconvert's, so anchors are checked as the site has them."
    seen = set()
    def sub(m):
        lvl, attrs, inner = m.groups()
        if 'class="title"' in attrs: return m.group(0)          # the title block is no section
        inner = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', '', inner, flags=re.S)
        explicit = re.search(r'\s*\{#([^}\s]+)[^}]*\}\s*$', inner)
        if explicit: hid, inner = explicit.group(1), inner[:explicit.start()]; seen.add(hid)
        else: hid = pandoc_id(html.unescape(re.sub(r'<[^>]+>', '', inner)), seen)
        attrs = re.sub(r'\sid="[^"]*"', '', attrs)
        return f'<h{lvl}{attrs} id="{html.escape(hid)}">{inner}<a class="anchor-link" href="#{html.escape(hid)}">¶</a></h{lvl}>'
    return _re_heading.sub(sub, page)

def _rewrite_href(href, src_rel, pages, doc_url):
    "A link as the site serves it: doc links to this site become relative, links to notebooks become their pages."
    depth = '../' * src_rel.count('/')
    if doc_url and href.startswith(doc_url + '/'): return depth + href[len(doc_url) + 1:]
    u = urlsplit(href)
    if u.scheme or u.netloc or not u.path.endswith('.ipynb'): return href
    target = os.path.normpath(os.path.join(os.path.dirname(src_rel), unquote(u.path))).replace(os.sep, '/')
    if target in pages: return depth + html_name(target) + (f'#{u.fragment}' if u.fragment else '')
    return href

CHECK_JS = r"""<script>(function(){
const R = {errors: [], failed: []};
addEventListener('error', e => { const t = e.target;
  if (t && t !== window && (t.src || t.href)) R.failed.push((t.tagName || '') + ' ' + String(t.src || t.href).slice(0, 160));
  else R.errors.push(String(e.message) + (e.filename ? ' (' + e.filename.split('/').pop() + ':' + e.lineno + ')' : '')); }, true);
addEventListener('unhandledrejection', e => R.errors.push('unhandled promise rejection: ' + e.reason));
const ce = console.error; console.error = function(...a) { R.errors.push('console.error: ' + a.map(String).join(' ')); return ce.apply(console, a); };
function finish() {
  const imgs = Array.from(document.images).map(i => ({src: (i.getAttribute('src') || '').slice(0, 60), w: i.naturalWidth, h: i.naturalHeight}));
  const math = document.querySelectorAll('.MathJax_Error, .merror, mjx-merror').length;
  const out = document.createElement('pre'); out.id = '%s'; out.style.display = 'none';
  out.textContent = JSON.stringify({errors: R.errors, failed: R.failed, imgs: imgs, math_errors: math, mathjax: !!window.MathJax,
                                    height: document.documentElement.scrollHeight});
  document.body.appendChild(out); }
addEventListener('load', () => { if (window.MathJax && MathJax.Hub) MathJax.Hub.Queue(() => setTimeout(finish, 0)); else setTimeout(finish, 0); });
})();</script>""" % RESULT_ID

NAV_CSS = """<style>
#sc-nav {position: fixed; top: 0; left: 0; bottom: 0; width: 210px; overflow-y: auto; padding: 16px 12px;
  background: #f6f7f9; border-right: 1px solid #ddd; font: 14px/1.5 system-ui, sans-serif; z-index: 10}
#sc-nav a {display: block; color: #2a5db0; text-decoration: none; padding: 2px 4px; border-radius: 3px}
#sc-nav a.sc-here {background: #2a5db0; color: #fff}
#sc-nav .sc-title {font-weight: 600; margin-bottom: 8px}
body {margin-left: 230px !important}
.sc-pager {display: flex; justify-content: space-between; margin: 32px 16px; font: 14px system-ui, sans-serif}
</style>"""

def mathjax_url(spec='auto'):
    "A local MathJax 2 (the `jupyter-server-mathjax` wheel ships one) or None: the check runs offline."
    if spec == 'none': return None
    if spec != 'auto': return spec
    import importlib.util
    s = importlib.util.find_spec('jupyter_server_mathjax')
    js = Path(list(s.submodule_search_locations)[0]) / 'static' / 'MathJax.js' if s else None
    return js.as_uri() + '?config=TeX-AMS-MML_HTMLorMML-full,Safe' if js and js.exists() else None

def render(nb, title, src_rel, pages, titles, out, doc_url, mathjax=None):
    "Write the page for notebook `src_rel` into `out`; returns its path."
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    c = Config()
    c.HTMLExporter.exclude_input_prompt = c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.remove_input_tags = {'remove_input'}
    c.TagRemovePreprocessor.enabled = True
    c.HTMLExporter.require_js_url = 'SITE-CHECK-NO-REQUIREJS'
    c.HTMLExporter.mathjax_url = mathjax or 'SITE-CHECK-NO-MATHJAX'
    body, _ = HTMLExporter(config=c, template_name='lab').from_notebook_node(nb)
    body = re.sub(r'<script src="SITE-CHECK-NO-(REQUIREJS|MATHJAX)"> ?</script>', '', body)
    body = quarto_ids(body)
    body = re.sub(r'(<a\s[^>]*?href=")([^"]*)(")', lambda m: m.group(1) + html.escape(
        _rewrite_href(html.unescape(m.group(2)), src_rel, pages, doc_url)) + m.group(3), body)
    depth, here = '../' * src_rel.count('/'), html_name(src_rel)
    links = ''.join(f'<a href="{depth}{html_name(p)}"{" class=sc-here" if p == src_rel else ""}>{html.escape(titles[p])}</a>' for p in pages)
    nav = f'<nav id="sc-nav"><div class="sc-title">site check</div>{links}</nav>'
    i = pages.index(src_rel)
    prev = f'<a href="{depth}{html_name(pages[i-1])}">&larr; {html.escape(titles[pages[i-1]])}</a>' if i else '<span></span>'
    nxt = f'<a href="{depth}{html_name(pages[i+1])}">{html.escape(titles[pages[i+1]])} &rarr;</a>' if i + 1 < len(pages) else '<span></span>'
    mj_conf = ('<script>window.MathJax = {"HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}};</script>'
               if mathjax else '')   # the offline copy ships STIX-Web fonts only
    body = body.replace('<head>', '<head>\n' + CHECK_JS + mj_conf, 1).replace('</head>', NAV_CSS + '\n</head>', 1)
    body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + nav, body, count=1)
    body = body.replace('</body>', f'<div class="sc-pager">{prev}{nxt}</div>\n</body>', 1)
    dst = Path(out) / here
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(body, encoding='utf-8')
    return dst

def copy_local_images(page, src_dir, out_dir):
    "Copy images that the page references by relative path (as Quarto copies resources)."
    for src in re.findall(r'<img[^>]*\ssrc="([^"]+)"', page.read_text(encoding='utf-8')):
        u = urlsplit(html.unescape(src))
        if u.scheme or u.netloc or not u.path: continue
        s = (Path(src_dir) / unquote(u.path)).resolve()
        d = (page.parent / unquote(u.path)).resolve()
        if s.is_file() and Path(out_dir).resolve() in d.parents and not d.exists():
            d.parent.mkdir(parents=True, exist_ok=True); shutil.copy(s, d)

# ---------------------------------------------------------------- static link check
def _ids_and_links(text):
    ids = set(re.findall(r'\s(?:id|name)="([^"]+)"', text))
    links = [html.unescape(h) for h in re.findall(r'<a\s[^>]*?href="([^"]*)"', text)]
    imgs = [html.unescape(s) for s in re.findall(r'<img[^>]*?\ssrc="([^"]*)"', text)]
    return {html.unescape(i) for i in ids}, links, imgs

def check_links(out_dir, page, assume=()):
    "(problems, #internal links, #external links) for the links of `page` (a file in `out_dir`); pages in `assume` exist unchecked."
    out_dir, page = Path(out_dir).resolve(), Path(page).resolve()
    ids, links, _ = _ids_and_links(page.read_text(encoding='utf-8'))
    probs, n_int, n_ext, cache = [], 0, 0, {}
    for h in links:
        u = urlsplit(h)
        if u.scheme in ('http', 'https') or u.netloc: n_ext += 1; continue
        if u.scheme: continue                                # mailto:, javascript:, data:
        n_int += 1
        if not u.path:
            if u.fragment and unquote(u.fragment) not in ids: probs.append(f'broken anchor {h}')
            continue
        t = (page.parent / unquote(u.path)).resolve()
        if t in {(out_dir / a).resolve() for a in assume}: continue
        if out_dir not in t.parents or not t.is_file(): probs.append(f'broken link {h}'); continue
        if u.fragment and t.suffix == '.html':
            if t not in cache: cache[t] = _ids_and_links(t.read_text(encoding='utf-8'))[0]
            if unquote(u.fragment) not in cache[t]: probs.append(f'broken anchor {h}')
    return list(dict.fromkeys(probs)), n_int, n_ext

def check_page_images(page):
    "Problems with the <img> data URIs of a page (they must decode to a non-blank image)."
    probs = []
    for src in _ids_and_links(Path(page).read_text(encoding='utf-8'))[2]:
        m = re.match(r'data:(image/[\w+.-]+);base64,(.*)', src, re.S)
        if m:
            p = _check_image(m.group(2), m.group(1))
            if p: probs.append(f'figure: {p}')
    return probs

# ---------------------------------------------------------------- browser
def find_chromium():
    for n in ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        if shutil.which(n): return shutil.which(n)

def _chromium(exe, url, *extra, timeout=90):
    with tempfile.TemporaryDirectory(prefix='site-check-chromium-') as prof:
        cmd = [exe, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync',
               '--disable-dev-shm-usage', '--allow-file-access-from-files', '--hide-scrollbars',
               '--host-resolver-rules=MAP * ~NOTFOUND', f'--user-data-dir={prof}', '--virtual-time-budget=15000', *extra, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

def browse(exe, page, shot=None, max_height=16000):
    "Load `page` in headless Chromium as a reader would (offline): ([problems], #figures); saves a whole-page screenshot to `shot`."
    url, probs = Path(page).resolve().as_uri(), []
    try: r = _chromium(exe, url, '--dump-dom')
    except subprocess.TimeoutExpired: return ['page did not load within 90 s'], 0
    m = re.search(rf'<pre id="{RESULT_ID}"[^>]*>(.*?)</pre>', r.stdout, re.S)
    if not m: return [f'page did not finish loading (chromium exit {r.returncode}: {r.stderr.strip()[-200:]})'], 0
    res = json.loads(html.unescape(m.group(1)))
    probs += [f'JS error: {e[:160]}' for e in res['errors']]
    for f in res['failed']:
        if '://' in f.split(' ', 1)[-1] and not f.split(' ', 1)[-1].startswith('file:'): continue   # offline: external resources are not fetched
        probs.append(f'failed to load {f}')
    for i in res['imgs']:
        if i['src'].startswith(('http:', 'https:')): continue
        if not i['w'] or not i['h']: probs.append(f'figure does not display: {i["src"]}')
    if res['math_errors']: probs.append(f'{res["math_errors"]} math error(s)')
    if shot:
        h = max(800, min(int(res.get('height') or 2000), max_height))
        try: _chromium(exe, url, f'--screenshot={Path(shot).resolve()}', f'--window-size=1280,{h}')
        except subprocess.TimeoutExpired: pass
        if not Path(shot).exists(): probs.append('no screenshot')
    return probs, len(res['imgs'])

# ---------------------------------------------------------------- the check
def site_check(root=ROOT, out=None, browser=True, stale='fail', chromium=None, mathjax='auto', show_doc=True, only=None, log=print,
               screenshots=True):
    "Render, load and check every page; returns rows of dicts (page, status, figures, links, problems, notes)."
    root = Path(root).resolve()
    cfg = get_config(root)
    nbs, out = Path(cfg.nbs_path), Path(out or root / '_site_check')
    doc_url = (cfg.get('doc_host', '') + cfg.get('doc_baseurl', '')).rstrip('/')
    if out.exists(): shutil.rmtree(out)
    (out / 'screenshots').mkdir(parents=True)
    exe = (chromium or find_chromium()) if browser else None
    if browser and not exe: raise SystemExit('chromium not found: apt-get install -y chromium, or pass --no-browser')
    mj = mathjax_url(mathjax) if browser else None
    allp = find_pages(nbs)
    pages = [p for p, _, ok in allp if ok]
    lsha = library_sha(nbs, allp)
    rows, done, titles, cwd = [], {}, {}, os.getcwd()
    os.chdir(root)                                           # nbdev's processors read settings.ini from here
    try:
        for p, side, ok in allp:
            if only and p not in only: continue
            if not ok:
                rows.append(dict(page=p, html=html_name(p), status='MISSING', figures=0, links=0, ext=0,
                                 problems=['listed in sidebar.yml but the notebook does not exist'], notes=[])); continue
            t = time.time()
            raw = _read(nbs / p)
            nb, probs, notes = process(nbs / p, run_show_doc=show_doc)
            probs = output_problems(raw) + probs
            sp, sn = stale_problems(nbs, p, raw, lsha)
            (probs if stale == 'fail' else notes).extend(sp); notes += sn
            if not side: notes.append('not in sidebar.yml (the site has the page but no way to it)')
            rnb, title = reader_nb(nb)
            titles[p] = title or p
            done[p] = (rnb, probs, notes, time.time() - t)
            log(f'processed {p} ({time.time() - t:.1f} s)')
        for p in pages:                                      # fill in titles of pages not rendered (with --only)
            if p not in titles:
                from nbdev.frontmatter import _md2dict
                md = next((c['source'] for c in _read(nbs / p)['cells'] if c['cell_type'] == 'markdown'), '')
                titles[p] = _md2dict(md).get('title', p)
        for p, (rnb, probs, notes, secs) in done.items():
            t = time.time()
            page = render(rnb, titles[p], p, pages, titles, out, doc_url, mj)
            copy_local_images(page, nbs / Path(p).parent, out)
            done[p] = (page, probs, notes, secs + time.time() - t)
        for p, (page, probs, notes, secs) in done.items():
            t = time.time()
            lp, n_int, n_ext = check_links(out, page, assume=[html_name(q) for q in pages if q not in done])
            probs = probs + lp + check_page_images(page)
            nfig = len(_ids_and_links(page.read_text(encoding='utf-8'))[2])
            if exe:
                shot = out / 'screenshots' / Path(html_name(p)).with_suffix('.png').name if screenshots else None
                bp, nfig = browse(exe, page, shot)
                probs += bp
            row = dict(page=p, html=html_name(p), status='FAIL' if probs else ('WARN' if notes else 'OK'), figures=nfig,
                       links=n_int, ext=n_ext, problems=probs, notes=notes, secs=round(secs + time.time() - t, 1))
            rows.append(row)
            log(f'{p}: {row["status"]} ({row["secs"]} s)')
    finally: os.chdir(cwd)
    order = {p: i for i, (p, _, _) in enumerate(allp)}
    rows.sort(key=lambda r: order[r['page']])
    (out / 'report.json').write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return rows

def table(rows):
    w = max([len(r['page']) for r in rows] + [4])
    lines = [f'{"page":<{w}}  {"status":<7}  {"figs":>4}  {"links":>9}  problems', '-' * (w + 40)]
    for r in rows:
        items = r['problems'] + [f'(note) {n}' for n in r['notes']]
        lines.append(f'{r["page"]:<{w}}  {r["status"]:<7}  {r["figures"]:>4}  {r["links"]:>4}+{r["ext"]:<4}  {items[0] if items else ""}')
        lines += [f'{"":<{w}}  {"":<7}  {"":>4}  {"":>9}  {x}' for x in items[1:]]
    return '\n'.join(lines)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=None, help='output folder (default: _site_check/ in the project)')
    ap.add_argument('--record', nargs='*', metavar='NB', help='record output fingerprints of these notebooks (default: all pages) and exit')
    ap.add_argument('--no-browser', action='store_true', help='skip Chromium (static checks only)')
    ap.add_argument('--stale', choices=['fail', 'warn'], default='fail', help='stale or unrecorded outputs fail the page, or only warn')
    ap.add_argument('--chromium', default=None, help='Chromium executable (default: found on PATH)')
    ap.add_argument('--mathjax', default='auto', help="'auto' (jupyter-server-mathjax's copy if installed), 'none', or a URL")
    ap.add_argument('--no-screenshots', action='store_true', help='load every page but save no screenshots (half the browser time)')
    ap.add_argument('--no-show-doc', action='store_true', help="don't run nbdev's show_doc cells (faster; show_doc output missing)")
    ap.add_argument('--only', nargs='*', help='check only these notebooks (e.g. 06_sigreg.ipynb)')
    ap.add_argument('--root', default=str(ROOT), help='project root (where settings.ini is)')
    a = ap.parse_args(argv)
    root = Path(a.root)
    if a.record is not None:
        nbs = Path(get_config(root).nbs_path)
        names = a.record or [p for p, _, ok in find_pages(nbs) if ok]
        rec = record(nbs, names, root)
        for n in names: print(f'recorded {n}: {rec["notebooks"][n]}')
        return 0
    t = time.time()
    rows = site_check(root, a.out, not a.no_browser, a.stale, a.chromium, a.mathjax, not a.no_show_doc, a.only,
                      log=lambda s: print(s, file=sys.stderr), screenshots=not a.no_screenshots)
    print(table(rows))
    out = Path(a.out or root / '_site_check')
    bad = [r for r in rows if r['problems']]
    print(f'\n{len(rows)} pages, {len(bad)} with problems, {time.time() - t:.0f} s; pages and screenshots in {out}/')
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main())
